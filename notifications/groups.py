"""The channel-layer group of each user's open sockets: notifications and job progress go there."""


def group_name(user_id: int) -> str:
    return f"notifications.{user_id}"

"""Closing the WebSockets opened with a credential that has just ended (issue 17 §5).

Every socket joins three channels groups: its user's, and its token's (``?token=``) or its
browser session's. Revoking a token, logging out, changing the password and deactivating the
account send ``auth.revoked`` to the matching group, after the transaction commits; the consumer
closes with CLOSE_REVOKED.
"""

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

CLOSE_REVOKED = 4001  # the credential the socket was opened with has ended
CLOSE_UNAUTHENTICATED = 4401
CLOSE_OTP_REQUIRED = 4403  # the user's role requires two-factor; this credential was not given one


def user_group(user_id: int) -> str:
    return f"auth.user.{user_id}"


def token_group(token_id: int) -> str:
    return f"auth.token.{token_id}"


def session_group(session_key: str) -> str:
    # The session key is a credential: the channel layer (Redis) sees only its hash.
    return f"auth.session.{hashlib.sha256(session_key.encode()).hexdigest()[:40]}"


def _send(group: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "auth.revoked"})
    except Exception:  # noqa: BLE001 - the credential has ended in the database all the same
        logger.warning("Could not tell the sockets of %s to close", group, exc_info=True)


def close(group: str) -> None:
    """Close every socket of the group once the current transaction (if any) commits."""
    transaction.on_commit(lambda: _send(group))

"""What every page shows about the user: their agencies and roles, and unread notifications."""

from agencies import jurisdiction
from notifications.models import Notification


def xianjie(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {
        "my_memberships": jurisdiction.memberships_of(user),
        "unread_count": unread,  # lazy: only pages that show the bell pay for the query
    }

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import delivery
from .models import Delivery

# What the mail server's common refusals mean, in plain words: the first whose words appear in the
# recorded error (its exception's name, then its text) explains it.
ERRORS = [
    (
        ("SMTPAuthenticationError", "authentication"),
        _("The mail server refused Xianjie's login (check the mail account and password)"),
    ),
    (("SMTPRecipientsRefused", "recipient"), _("The mail server refused the recipient's address")),
    (("SMTPSenderRefused",), _("The mail server refused the sender's address")),
    (("TimeoutError", "timed out", "timeout"), _("The mail server did not answer in time")),
    (("SSLError", "certificate"), _("The secure connection to the mail server failed")),
    (
        ("ConnectionRefused", "SMTPConnectError", "SMTPServerDisconnected", "gaierror", "unreachable", "connection"),
        _("Could not connect to the mail server"),
    ),
]


def explain(error: str) -> str:
    """A plain explanation of a recorded send error, or "" when it is not a common one."""
    lowered = error.lower()
    for words, meaning in ERRORS:
        if any(word.lower() in lowered for word in words):
            return str(meaning)
    return ""


# The detail page: the raw error stays there, with its explanation; "attempts" and the claim under
# plain labels.
FIELDS = (
    "notification",
    "recipient",
    "address",
    "subject",
    "body",
    "status",
    "tries",
    "error_meaning",
    "last_error",
    "next_try_at",
    "held_until",
    "first_tried_at",
    "created_at",
    "sent_at",
)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The e-mails of notifications, as sent or still trying; read-only but for "send again"."""

    list_display = ["id", "address", "subject", "status", "tries", "error", "next_try", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["address", "subject"]
    fields = FIELDS
    readonly_fields = FIELDS
    list_select_related = False
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=pgettext_lazy("e-mail delivery", "attempts"), ordering="attempts")
    def tries(self, obj: Delivery) -> int:
        return obj.attempts

    @admin.display(description=_("Last error"))
    def error(self, obj: Delivery) -> str:
        if not obj.last_error:
            return "—"
        return explain(obj.last_error) or Truncator(obj.last_error).chars(60)

    @admin.display(description=_("What the error means"))
    def error_meaning(self, obj: Delivery) -> str:
        return explain(obj.last_error) or "—"

    @admin.display(description=_("Next try at"), ordering="next_try_at")
    def next_try(self, obj: Delivery):
        # A sent e-mail is not tried again, nor one given up (until it is sent again).
        if obj.status in (Delivery.Status.SENT, Delivery.Status.DEAD):
            return "—"
        return obj.next_try_at

    @admin.display(description=_("Held by a sending worker until"))
    def held_until(self, obj: Delivery):
        return obj.claimed_until or "—"

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset) -> None:
        chosen = set(queryset.values_list("pk", flat=True))
        ids = delivery.send_again(queryset)
        transaction.on_commit(lambda: delivery.enqueue(ids), robust=True)
        # Why the others were passed over, as their rows say now.
        now = timezone.now()
        skipped = Delivery.objects.filter(pk__in=chosen - set(ids))
        sent = skipped.filter(status=Delivery.Status.SENT).count()
        busy = skipped.exclude(status=Delivery.Status.SENT).filter(claimed_until__gte=now).count()
        waiting = skipped.count() - sent - busy
        parts = [gettext("E-mails to be sent again: %(count)d.") % {"count": len(ids)}]
        if sent:
            parts.append(gettext("Not sent again, already sent: %(count)d.") % {"count": sent})
        if busy:
            parts.append(gettext("Not sent again, being sent now: %(count)d.") % {"count": busy})
        if waiting:
            parts.append(gettext("Not sent again, already waiting to be sent: %(count)d.") % {"count": waiting})
        self.message_user(request, " ".join(parts), messages.SUCCESS if ids else messages.WARNING)

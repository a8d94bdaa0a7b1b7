from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import delivery
from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The e-mails of notifications, as sent or still trying; read-only but for "send again"."""

    list_display = ["id", "address", "subject", "status", "attempts", "next_try_at", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["address", "subject"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    list_select_related = False
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset) -> None:
        ids = delivery.send_again(queryset)
        transaction.on_commit(lambda: delivery.enqueue(ids), robust=True)
        self.message_user(
            request,
            _("E-mails to be sent again: %(count)d.") % {"count": len(ids)},
            messages.SUCCESS if ids else messages.WARNING,
        )

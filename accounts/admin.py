from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from knox.admin import AuthTokenAdmin as KnoxTokenAdmin
from knox.models import AuthToken

from . import enrolment
from .models import EnrolmentCode

# API tokens (django-rest-knox, hashed at rest): an administrator revokes one by deleting it. The
# list shows whose token it is, since when and until when; the key is never stored, so never shown.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class TokenAdmin(KnoxTokenAdmin):
    list_display = ["user", "created", "expiry", "second_factor"]
    search_fields = ["user__username"]
    list_select_related = ["user", "info"]

    def has_add_permission(self, request):
        return False  # a token is obtained by its user, with the password (and the code)

    @admin.display(boolean=True, description=gettext_lazy("second factor"))
    def second_factor(self, token) -> bool:
        info = getattr(token, "info", None)
        return bool(info and info.second_factor)


class EnrolmentCodeForm(forms.ModelForm):
    class Meta:
        model = EnrolmentCode
        fields = ["user"]


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(admin.ModelAdmin):
    """Issue a one-time enrolment code for a user whose role requires two-factor authentication:
    the code is shown once, in the message after saving, and only its hash is kept."""

    form = EnrolmentCodeForm
    list_display = ["user", "created_at", "created_by", "expires_at", "used_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "created_by", "expires_at", "used_at"]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        row, code = enrolment.issue(obj.user, by=request.user)
        obj.pk = row.pk
        obj.__dict__.update({f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields})
        self.message_user(
            request,
            _("Enrolment code for %(user)s: %(code)s (shown only now; valid until %(until)s).")
            % {"user": obj.user, "code": code, "until": row.expires_at.strftime("%Y-%m-%d %H:%M")},
            messages.WARNING,
        )

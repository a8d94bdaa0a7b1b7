from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import actions
from .models import Agency, Membership, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "slug", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "slug"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["region", "parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "title"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["user__username", "agency__slug"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["user"]

    @admin.display(description=_("role"), ordering="role")
    def title(self, obj: Membership) -> str:
        """The role as the agency calls it (民警 at the police, not 执法人员)."""
        return obj.title

    def save_model(self, request, obj, form, change):
        # Through the action, so that the user joins the agency's group too.
        actions.set_membership(obj.user, obj.agency, obj.role)

    def delete_model(self, request, obj):
        actions.end_membership(obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            actions.end_membership(membership)

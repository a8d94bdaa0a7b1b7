from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Event, IdNumberView, LegalBasis


@admin.register(LegalBasis)
class LegalBasisAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "fined",
        "min_amount",
        "max_amount",
        "valid_from",
        "valid_to",
        "applies_to",
        "condition",
        "warning",
    ]
    search_fields = ["code", "title"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only and hash-chained."""

    list_display = ["case", "seq", "action", "actor", "agency", "at", "from_status", "to_status"]
    list_filter = ["action"]
    search_fields = ["case__number"]
    list_select_related = ["case", "actor", "agency"]


@admin.register(IdNumberView)
class IdNumberViewAdmin(ReadOnlyAdmin):
    """Read-only: who was shown full ID numbers of which case."""

    list_display = ["at", "user", "case", "via", "numbers"]
    list_filter = ["via"]
    search_fields = ["case__number", "user__username"]
    list_select_related = ["case", "user"]
    date_hierarchy = "at"

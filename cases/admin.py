from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import titles
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
        "applies",
        "condition",
        "warning",
    ]
    search_fields = ["code", "title"]

    @admin.display(description=_("applies to"))
    def applies(self, basis: LegalBasis) -> str:
        labels = titles.code_labels()
        return "、".join(str(labels.get(code, code)) for code in basis.applies_to) or "—"


class EventActionFilter(admin.SimpleListFilter):
    """The events' actions by their titles, not their codes."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = Event.objects.order_by().values_list("action", flat=True).distinct()
        return sorted(((code, titles.event_title(code)) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


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

    list_display = ["case", "seq", "title", "actor", "agency", "at", "moved"]
    list_filter = [EventActionFilter]
    search_fields = ["case__number"]
    list_select_related = ["case", "actor", "agency"]

    @admin.display(description=_("action"), ordering="action")
    def title(self, event: Event) -> str:
        return titles.event_title(event.action)

    @admin.display(description=_("status"))
    def moved(self, event: Event) -> str:
        return titles.transition(event)


@admin.register(IdNumberView)
class IdNumberViewAdmin(ReadOnlyAdmin):
    """Read-only: who was shown full ID numbers of which case."""

    list_display = ["at", "user", "case", "via", "numbers"]
    list_filter = ["via"]
    search_fields = ["case__number", "user__username"]
    list_select_related = ["case", "user"]
    date_hierarchy = "at"

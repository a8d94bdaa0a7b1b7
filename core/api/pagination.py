"""The one pagination of API v1 lists: a cursor over a stable order (DESIGN §4 list envelope)."""

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class Cursor(CursorPagination):
    """Pages of 50 by default, up to 200 with ?page_size=; a list names its order with `by()`.

    A page_size that is not a whole number of 1 or more is refused with 400 {"page_size": [...]}
    (DRF would silently fall back to the default); one over the most a page holds gives that most."""

    ordering: str | tuple[str, ...] = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number of 1 or more (a page holds at most %(max)s).")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    f"Rows a page (default {self.page_size}; more than {self.max_page_size} give {self.max_page_size})."
                )
        return parameters


def by(*ordering: str, page_size: int = 50, max_page_size: int = 200) -> type[Cursor]:
    """A cursor pagination over `ordering` (which must end in a unique field)."""
    return type(
        "Cursor",
        (Cursor,),
        {
            "ordering": ordering if len(ordering) > 1 else ordering[0],
            "page_size": page_size,
            "max_page_size": max_page_size,
        },
    )

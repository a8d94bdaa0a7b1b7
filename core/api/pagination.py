"""The one pagination of API v1 lists: a cursor over a stable order (DESIGN §4 list envelope)."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Pages of 50 by default, up to 200 with ?page_size=; a list names its order with `by()`."""

    ordering: str | tuple[str, ...] = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


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

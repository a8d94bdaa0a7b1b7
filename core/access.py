"""The one way to fetch a record by id for a caller: visible → the record, anything else → 404.

Not visible and not found answer alike, so nobody learns that a record exists (DESIGN §4).
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_visible_or_404(visible: QuerySet[M], pk: Any) -> M:
    """The row `pk` of the caller's visible queryset; 404 for a bad id, a hidden row or none."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = visible.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found

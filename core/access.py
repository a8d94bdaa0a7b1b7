"""The one way to fetch a record by id for a caller: visible → the record, anything else → 404.

Not visible and not found answer alike, so nobody learns that a record exists (DESIGN §4).
"""

from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from rest_framework.request import Request

M = TypeVar("M", bound=Model)

# Whoever asks: a signed-in user or, on the public pages and in a closed session, the anonymous one.
AnyUser: TypeAlias = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page behind login_required, whose user is signed in (for annotations only)."""

    user: User


class AuthenticatedRequest(Request):
    """The request of an API view behind IsAuthenticated, whose user is signed in (for annotations only)."""

    user: User


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


def evaluated(queryset: QuerySet[M], rows: list[M]) -> QuerySet[M]:
    """A queryset already evaluated to `rows`, as prefetch_related leaves it: put in an instance's
    prefetch cache, it answers `.all()` without a query (rows a request has loaded already, or
    none when it knows there are none)."""
    setattr(queryset, "_result_cache", list(rows))  # noqa: B010 - Django's own evaluated-queryset state
    setattr(queryset, "_prefetch_done", True)  # noqa: B010
    return queryset


def prefetched(instance: Model, name: str, queryset: QuerySet[Any]) -> None:
    """Put an evaluated queryset in the instance's prefetch cache under the relation `name`."""
    vars(instance).setdefault("_prefetched_objects_cache", {})[name] = queryset

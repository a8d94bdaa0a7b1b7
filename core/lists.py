"""Lists people can work through (issue 18): every web list says how many rows it has in all, pages
them (first, previous, the page numbers, next, last; PAGE_SIZE a page) and never cuts them without
a word, sorts by its columns (`?sort=number`, `?sort=-number`, from the list's whitelist only: any
other is refused with a field message, 400), keeps its filters in every link, is kept as a saved
filter of the user's own, and is exported to XLSX as filtered (every page, at most EXPORT_MAX rows,
saying so when cut; each export recorded like the other exports).

A list is described once by a ListSpec. Texts typed into a list's search (a party, a person's name)
never go into the address: they are kept in the session under a search token
(cases.queries.search_token), as the case list does; a saved filter keeps them in its row.
"""

import dataclasses
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from rest_framework import serializers

from core import webforms
from core.access import AuthenticatedHttpRequest
from core.xlsx import safe_row

# Rows a page: settings.LIST_PAGE_SIZE (50), the one size of every paged page; a test may set it.
PAGE_SIZE: int | None = None
EXPORT_MAX = 5000
SAVED_MAX = 50  # saved filters a user keeps per list
QUERY_MAX = 2000  # SavedFilter.query
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Never part of a saved filter or of the links a list builds for itself.
TRANSIENT = ("page", "export", "search")


@dataclasses.dataclass(frozen=True)
class Column:
    """A column of a list: `key` is its name in ?sort=; `order` the fields it sorts by (none: not sortable)."""

    key: str
    label: Any
    order: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ListSpec:
    name: str  # the saved filters' list
    title: Any
    url_name: str
    columns: tuple[Column, ...]
    default_sort: str
    texts: tuple[str, ...] = ()  # filters typed as text: kept in the session, never in the address

    @property
    def sortable(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns if c.order}

    @property
    def url(self) -> str:
        return reverse(self.url_name)


REGISTRY: dict[str, ListSpec] = {}


def register(spec: ListSpec) -> ListSpec:
    REGISTRY[spec.name] = spec
    return spec


# --- sorting ------------------------------------------------------------------------------------


class SortError(ValueError):
    pass


def ordering(spec: ListSpec, value: str) -> list[OrderBy]:
    """The ORDER BY of ?sort=value; SortError for a column the list does not sort by. Empty values
    come last either way; the id breaks ties, so that paging neither repeats nor skips a row."""
    descending = value.startswith("-")
    column = spec.sortable.get(value.removeprefix("-"))
    if column is None:
        raise SortError(value)
    out = []
    for name in (*column.order, "id"):
        desc = descending != name.startswith("-")
        field = F(name.removeprefix("-"))
        out.append(field.desc(nulls_last=True) if desc else field.asc(nulls_last=True))
    return out


def sort_of(spec: ListSpec, params: Mapping[str, Any]) -> tuple[str, list[OrderBy], dict[str, list[str]]]:
    """(the sort in effect, its ORDER BY, errors): an unknown ?sort= (or ?export=) is a field error,
    the default order kept."""
    value = str(params.get("sort") or spec.default_sort)
    errors: dict[str, list[str]] = {}
    if params.get("export") not in (None, "", "xlsx"):
        errors["export"] = [_("Lists are exported as XLSX only (export=xlsx).")]
    try:
        return value, ordering(spec, value), errors
    except SortError:
        names = "、".join(str(c.label) for c in spec.sortable.values())
        message = _("This list cannot be sorted by “%(value)s”: sort by %(names)s.") % {
            "value": value[:40],
            "names": names,
        }
        return spec.default_sort, ordering(spec, spec.default_sort), errors | {"sort": [message]}


@dataclasses.dataclass
class Header:
    label: Any
    key: str
    sortable: bool
    current: str  # "asc", "desc" or ""
    next: str  # the ?sort= of a click on it


def headers(spec: ListSpec, sort: str) -> list[Header]:
    out = []
    for c in spec.columns:
        current = ""
        if c.order and sort.removeprefix("-") == c.key:
            current = "desc" if sort.startswith("-") else "asc"
        # A first click sorts ascending, the next one descending, and so on.
        out.append(Header(c.label, c.key, bool(c.order), current, f"-{c.key}" if current == "asc" else c.key))
    return out


# --- paging -------------------------------------------------------------------------------------


def page_of(request: HttpRequest, rows: QuerySet[Any] | list[Any], size: int | None = None) -> "Page[Any]":
    """The page ?page= asks for (the first if absent or not a number, the last if past the end), with
    `numbers`: the page numbers to show, "…" for those left out."""
    size = size or PAGE_SIZE or settings.LIST_PAGE_SIZE
    paginator = Paginator(rows, size)
    page = None
    if str(request.GET.get("page") or "1") == "1":
        # The first page read first: when it is not full it holds them all, and no COUNT(*) is needed.
        first = list(rows[: size + 1])
        if len(first) <= size:
            paginator.__dict__["count"] = len(first)  # Paginator.count is a cached_property
            page = Page(first, 1, paginator)
    if page is None:
        page = paginator.get_page(request.GET.get("page"))
    page.numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page


# --- texts kept in the session -----------------------------------------------------------------


def _encode(spec: ListSpec, texts: Mapping[str, str]) -> str:
    if spec.texts == ("q",):  # the case list's own token holds the one search text
        return str(texts.get("q", ""))
    return urlencode({k: v for k, v in texts.items() if v})


def _decode(spec: ListSpec, text: str) -> dict[str, str]:
    if spec.texts == ("q",):
        return {"q": text}
    given = QueryDict(text)
    return {k: given[k] for k in spec.texts if given.get(k)}


def texts_token(request: HttpRequest, spec: ListSpec, texts: Mapping[str, Any]) -> str | None:
    """A search token for the texts typed (None if there are none)."""
    from cases import queries  # noqa: PLC0415 - core is imported by the cases app

    given = {k: str(texts.get(k) or "").strip()[:100] for k in spec.texts}
    if not any(given.values()):
        return None
    return queries.search_token(request.session, _encode(spec, given))


def texts_of(request: HttpRequest, spec: ListSpec, params: Mapping[str, Any]) -> dict[str, str] | None:
    """The texts of ?search=token ({} without one); None when the token is not (or no longer) of this session."""
    from cases import queries  # noqa: PLC0415

    token = params.get("search")
    if not token:
        return {}
    text = queries.searched(request.session, str(token))
    return None if text is None else _decode(spec, text)


def expired() -> str:
    return _("This search has expired: search again.")


# --- the context a list template gets -----------------------------------------------------------


def context(request: AuthenticatedHttpRequest, spec: ListSpec, sort: str, page: "Page[Any] | None") -> dict[str, Any]:
    """What every list's template shows besides its rows: the sortable headers, the total, the saved
    filters of this user, the save form's and the export's addresses (the filters kept)."""
    from accounts.models import SavedFilter  # noqa: PLC0415

    query = request.GET.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    export = query.copy()
    export["export"] = "xlsx"
    total = page.paginator.count if page is not None else 0
    return {
        "list_spec": spec,
        "headers": headers(spec, sort),
        "sort": sort,
        "total": total,
        "saved_filters": list(SavedFilter.objects.filter(user=request.user, list_name=spec.name)),
        "save_url": reverse("cases:save_filter") + "?" + urlencode({"list": spec.name, "query": query.urlencode()}),
        "export_url": "?" + export.urlencode(),
        "export_max": EXPORT_MAX,
        "export_cut": total > EXPORT_MAX,
    }


# --- export -------------------------------------------------------------------------------------


def export(
    request: AuthenticatedHttpRequest,
    spec: ListSpec,
    rows: QuerySet[Any],
    header: list[Any],
    row_of: Callable[[Any], Iterable[Any]],
) -> HttpResponse:
    """The filtered list as XLSX, every page of it up to EXPORT_MAX rows (a last row says when it is
    cut, and of how many); every cell through safe_row; recorded like the other exports (the audit
    log the supervisors read: who, when, which list with which filters)."""
    from oversight.audit import record_view  # noqa: PLC0415

    record_view(request.user, request.get_full_path())
    head = list(rows[: EXPORT_MAX + 1])
    cut = len(head) > EXPORT_MAX
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(spec.title)[:31])
    ws.append(safe_row([str(h) for h in header]))
    for item in head[:EXPORT_MAX]:
        ws.append(safe_row(row_of(item)))
    if cut:
        ws.append(
            safe_row(
                [
                    _("Only the first %(max)s of %(total)s rows are exported: narrow the filter to export the rest.")
                    % {"max": EXPORT_MAX, "total": rows.count()}
                ]
            )
        )
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{spec.name}-{stamp}.xlsx"'
    return response


# --- saved filters ------------------------------------------------------------------------------


class SaveFilterInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)


def _stored_query(request: HttpRequest, spec: ListSpec, query: str) -> str:
    """The query string a saved filter keeps: the list's own filters and order, the texts of its
    search token written out (it lasts only for this session); ValidationError for a search by ID number."""
    from cases import queries  # noqa: PLC0415

    params = QueryDict(query[:2000], mutable=True)
    texts = texts_of(request, spec, params)
    if texts is None:
        raise ValidationError(expired())
    for name in TRANSIENT:
        params.pop(name, None)
    for name, text in texts.items():
        params[name] = text
    if any(queries.is_id_search(params.get(name)) for name in spec.texts):
        raise ValidationError(_("A search by ID number is not saved: search by it with the search form each time."))
    stored = params.urlencode()
    if len(stored) > QUERY_MAX:
        raise ValidationError(_("This filter is too long to be saved."))
    return stored


@login_required
def save_filter(request: AuthenticatedHttpRequest) -> HttpResponse:
    """保存筛选: the list (?list=) with its filters (?query=, as the list's address has them) saved by a name."""
    spec = REGISTRY.get(request.GET.get("list", ""))
    if spec is None:
        raise Http404
    query = QueryDict(request.GET.get("query", "")[:QUERY_MAX]).urlencode()  # re-encoded: no raw text in the redirect

    def run(name: str) -> None:
        from accounts.models import SavedFilter  # noqa: PLC0415

        stored = _stored_query(request, spec, query)
        if SavedFilter.objects.filter(user=request.user, list_name=spec.name).count() >= SAVED_MAX:
            raise ValidationError(_("At most %(max)s saved filters a list: delete one first.") % {"max": SAVED_MAX})
        SavedFilter.objects.create(user=request.user, list_name=spec.name, title=name, query=stored)

    back = f"{spec.url}?{query}" if query else spec.url
    fields = webforms.build_fields(SaveFilterInput)
    fields[0].label = _("Name of this filter")
    other: list[str] = []
    if request.method == "POST":
        errors = webforms.submit(SaveFilterInput, request.POST, run)
        if errors is None:
            messages.success(request, _("Filter saved."))
            return redirect(back)
        other = webforms.attach(fields, request.POST, errors)
    return render(
        request,
        "includes/action_form.html",
        {
            "title": _("Save this filter"),
            "subject": spec.title,
            "back_url": back,
            "fields": fields,
            "other_errors": other,
        },
        status=400 if other or any(f.errors for f in fields) else 200,
    )


def _own_filter(request: AuthenticatedHttpRequest, pk: int) -> Any:
    from accounts.models import SavedFilter  # noqa: PLC0415

    return get_object_or_404(SavedFilter, pk=pk, user=request.user)  # another user's is not found


@login_required
def open_filter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A saved filter opened: its list with its filters, the texts under a new search token."""
    saved = _own_filter(request, pk)
    spec = REGISTRY.get(saved.list_name)
    if spec is None:
        raise Http404
    params = QueryDict(saved.query, mutable=True)
    texts = {name: params.pop(name)[-1] for name in spec.texts if params.get(name)}
    token = texts_token(request, spec, texts)
    if token:
        params["search"] = token
    return redirect(f"{spec.url}?{params.urlencode()}" if params else spec.url)


@login_required
def delete_filter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    saved = _own_filter(request, pk)
    spec = REGISTRY.get(saved.list_name)
    saved.delete()
    messages.success(request, _("Saved filter deleted."))
    return redirect(spec.url if spec else "/")

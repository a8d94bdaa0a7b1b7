"""The case list's filters and search, shared by the API and the web pages."""

import datetime
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from agencies.api import RegionCodeField
from agencies.models import Region
from core import ratelimit
from core.access import AnyUser
from core.api.params import QueryBoolean
from core.identity import (
    DocumentKind,
    document_hash,
    normalize_credit_code,
    normalize_document,
    normalize_id_number,
    plain,
)
from oversight.audit import record_view
from workflows.models import Deadline
from workflows.steps import LAPSING_STEPS

from .access import found_by_document_q, persons_searchable_by
from .kinds import FINE_PAYMENT_DAYS, PartyKind, Source
from .models import Case, CaseStatus, Fine, FineStatus, Rectification, RectificationStatus, Referral, ReferralStatus


def _documents_in(q: str) -> list[tuple[str, str]]:
    """The identity documents a search text could be, by the same rules as when they were stored."""
    found = []
    for kind in DocumentKind.values:
        try:
            found.append((kind, normalize_document(kind, q)))
        except ValidationError:
            continue
    return found


# A case number (440100-2018-00001) or a part of one (2018-00001): digits with hyphens, never
# taken for a document.
_CASE_NUMBER = re.compile(r"[\d\-]*\d-\d[\d\-]*")
# A passport or permit number has digits (E12345678, H1234567890); a word of letters alone is a name.
_DOCUMENT_DIGITS = 6


def id_documents_in(q: str) -> list[tuple[str, str]]:
    """The identity documents a search text is (issue 17 §2, §10): a valid resident ID number, or a
    passport or permit number (5–20 letters and digits, at least six of them digits) that is neither
    a case number nor a credit code. Empty for any other text (a name, a case number): a search by
    these is not a search by ID number and does not look at document hashes."""
    code = plain(q)
    try:
        return [(DocumentKind.RESIDENT_ID, normalize_id_number(code))]
    except ValidationError:
        pass
    if _CASE_NUMBER.fullmatch(code) or sum(c.isdigit() for c in code) < _DOCUMENT_DIGITS:
        return []
    try:
        normalize_credit_code(code)
    except ValidationError:
        pass
    else:
        return []
    return [(kind, number) for kind, number in _documents_in(code) if kind != DocumentKind.RESIDENT_ID]


def is_id_search(q: Any) -> bool:
    return bool(id_documents_in(str(q or "")[:100]))


class CaseListParams(serializers.Serializer[Any]):
    """The case list's query parameters (DESIGN §4): a value outside them is refused with the field,
    never answered with an empty list (issue 17 §9)."""

    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)  # type: ignore[assignment]
    party_kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    region = RegionCodeField(required=False, help_text="Region code; its whole subtree is included.")
    requires_referral = QueryBoolean()
    overdue = QueryBoolean()
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text="Number, party name, credit code, person name or ID number.",
    )

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> "CaseListParams":
        """Unbound from a query string or a form: an empty value is no filter."""
        data = {}
        for name, _field in cls().fields.items():
            value = params.get(name)
            if value not in (None, ""):
                data[name] = value
        return cls(data=data)


def case_list_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The validated filters; rest_framework's ValidationError with the fields otherwise."""
    given = CaseListParams.of(params)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


GET_ID_SEARCH_REFUSED = gettext_lazy(
    'Search by ID number with POST /api/v1/cases/search/ and {"q": …}: an ID number in the address '
    "stays in logs and browser history."
)


class IdSearchThrottled(Exception):
    """More searches by ID number this hour than ID_SEARCHES_PER_USER_HOUR."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


ID_SEARCH_WINDOW = 3600


def id_search_message() -> str:
    return _(
        "Too many searches by ID number: at most %(limit)s an hour. Try again later, or search by name or case number."
    ) % {"limit": settings.ID_SEARCHES_PER_USER_HOUR}


def allow_id_search(user: User) -> None:
    """Counts a search by ID number of the user; IdSearchThrottled past the hourly limit."""
    if not ratelimit.allow("id-search", str(user.pk), settings.ID_SEARCHES_PER_USER_HOUR, ID_SEARCH_WINDOW):
        raise IdSearchThrottled(ID_SEARCH_WINDOW)


def record_id_search(user: User, q: str, cases: Iterable[Case], path: str) -> None:
    """Every search by ID number is recorded like a view (issue 17 §2), in the audit log the
    supervisors read (oversight.AuditView): who, when, through which door, the keyed hash of the
    number searched (never the number) — one row per case it found, with that case, or one row
    without a case when it found none."""
    documents = id_documents_in(q)
    digest = document_hash(*documents[0])[:16] if documents else ""
    where = f"{path}#id-search:{digest}"
    found = list(cases)
    for case in found:
        record_view(user, where, case)
    if not found:
        record_view(user, where)


def search_token(session: Any, q: str) -> str:
    """A token issued for one web search, kept in the session (the last ten), so that the searched text (an ID
    number, a name) never lands in the address, the browser's history or the access log."""
    token = secrets.token_urlsafe(12)
    kept = dict(session.get("case_searches", {}))
    kept[token] = q
    session["case_searches"] = dict(list(kept.items())[-10:])  # the last ten searches only
    return token


def searched(session: Any, token: str) -> str | None:
    text = session.get("case_searches", {}).get(token)
    return str(text) if text is not None else None


def truthy(value: Any) -> bool:
    return str(value or "").lower() in ("1", "true", "yes", "on")


def overdue_q() -> Q:
    """Something of the case is late: a legal deadline missed, an order past its date, a fine unpaid."""
    now = timezone.now()
    today = timezone.localdate(now)
    late_deadlines = Deadline.objects.filter(case=OuterRef("pk"), met_at__isnull=True, due_at__lte=now).exclude(
        step__in=LAPSING_STEPS  # the party's own period ending is nobody's lateness
    )
    late_orders = Rectification.objects.filter(
        case=OuterRef("pk"), status=RectificationStatus.ISSUED, deadline__lt=today
    )
    late_fines = Fine.objects.filter(
        case=OuterRef("pk"),
        status=FineStatus.DECIDED,
        decided_on__lt=today - datetime.timedelta(days=FINE_PAYMENT_DAYS),
    )
    return Q(Exists(late_deadlines)) | Q(Exists(late_orders)) | Q(Exists(late_fines))


def filter_cases(qs: QuerySet[Case], params: Mapping[str, Any], user: AnyUser) -> QuerySet[Case]:
    """?status=&region=&source=&party_kind=&requires_referral=&overdue=&q= (DESIGN §4), as
    validated by CaseListParams (case_list_params). `user`: whose search it is — persons are found
    by name only as that user may read them, and by ID number only where that user sees the number
    in full (cases.access.found_by_document_q)."""
    for name in ("status", "source", "party_kind"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    region = params.get("region")
    if region:
        if not isinstance(region, Region):
            region = Region.objects.filter(code=str(region)[:6]).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    if params.get("requires_referral") not in (None, ""):
        qs = qs.filter(requires_referral=truthy(params["requires_referral"]))
    if truthy(params.get("overdue")):
        qs = qs.filter(overdue_q())
    q = str(params.get("q") or "").strip()[:100]
    if q:
        code = plain(q)  # ４４０１… finds what was stored as 4401…
        persons = persons_searchable_by(user)
        match = (
            Q(number__icontains=q)
            | Q(party_name__icontains=q)
            | Q(party_credit_code=code)
            | Q(pk__in=persons.filter(name__icontains=q).values("case_id"))
        )
        hashes = {document_hash(kind, number) for kind, number in id_documents_in(q)}
        if hashes:
            match |= found_by_document_q(user, hashes)
        qs = qs.filter(match)
    return qs


class ReferralListParams(serializers.Serializer[Any]):
    """The referral list's filters (issue 18): status, the case's region (its whole subtree), the
    party (name contains), a referred person (name contains; never an ID number: those are searched,
    counted and recorded on the case list's search form), overdue (a duty's deadline missed)."""

    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    region = RegionCodeField(required=False)
    party = serializers.CharField(required=False, allow_blank=True, max_length=100)
    person = serializers.CharField(required=False, allow_blank=True, max_length=100)
    overdue = QueryBoolean()

    def validate_person(self, value: str) -> str:
        if is_id_search(value):
            raise serializers.ValidationError(
                _("The referral list is not searched by ID number: search by it with the case list's search form.")
            )
        return value

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> "ReferralListParams":
        names: list[str] = list(cls().fields.keys())
        data = {name: params.get(name) for name in names if params.get(name) not in (None, "")}
        return cls(data=data)


def referral_list_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The validated filters; rest_framework's ValidationError with the fields otherwise."""
    given = ReferralListParams.of(params)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def filter_referrals(qs: QuerySet[Referral], params: Mapping[str, Any]) -> QuerySet[Referral]:
    """The referrals of `qs` (already those the user sees) the filters of ReferralListParams keep."""
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    region = params.get("region")
    if isinstance(region, Region):
        qs = qs.filter(case__region__path__startswith=region.path)
    if params.get("party"):
        qs = qs.filter(case__party_name__icontains=params["party"])
    if params.get("person"):
        named = Referral.persons.through.objects.filter(
            referral_id=OuterRef("pk"), person__name__icontains=params["person"]
        )
        qs = qs.filter(Exists(named))
    if truthy(params.get("overdue")):
        late = Deadline.objects.filter(referral_id=OuterRef("pk"), met_at__isnull=True, due_at__lte=timezone.now())
        qs = qs.filter(Exists(late.exclude(step__in=LAPSING_STEPS)))
    return qs

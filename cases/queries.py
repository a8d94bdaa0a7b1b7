"""The case list's filters and search, shared by the API and the web pages."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.models import Region
from core.access import AnyUser
from core.identity import DocumentKind, document_hash, normalize_document, plain
from workflows.models import Deadline
from workflows.steps import LAPSING_STEPS

from .access import persons_searchable_by
from .kinds import FINE_PAYMENT_DAYS
from .models import Case, Fine, FineStatus, Person, Rectification, RectificationStatus


def _documents_in(q: str) -> list[tuple[str, str]]:
    """The identity documents a search text could be, by the same rules as when they were stored."""
    found = []
    for kind in DocumentKind.values:
        try:
            found.append((kind, normalize_document(kind, q)))
        except ValidationError:
            continue
    return found


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


def filter_cases(qs: QuerySet[Case], params: Mapping[str, Any], user: AnyUser | None = None) -> QuerySet[Case]:
    """?status=&region=&source=&party_kind=&requires_referral=&overdue=&q= (DESIGN §4). `user`:
    whose search it is — persons are found only as that user may read them."""
    for name in ("status", "source", "party_kind"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    if params.get("region"):
        region = Region.objects.filter(code=str(params["region"])[:6]).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    if params.get("requires_referral") not in (None, ""):
        qs = qs.filter(requires_referral=truthy(params["requires_referral"]))
    if truthy(params.get("overdue")):
        qs = qs.filter(overdue_q())
    q = (params.get("q") or "").strip()[:100]
    if q:
        code = plain(q)  # ４４０１… finds what was stored as 4401…
        persons = persons_searchable_by(user) if user is not None else Person.objects.all()
        match = (
            Q(number__icontains=q)
            | Q(party_name__icontains=q)
            | Q(party_credit_code=code)
            | Q(pk__in=persons.filter(name__icontains=q).values("case_id"))
        )
        hashes = {document_hash(kind, number) for kind, number in _documents_in(code)}
        if hashes:
            match |= Q(party_id_hash__in=hashes) | Q(pk__in=persons.filter(id_hash__in=hashes).values("case_id"))
        qs = qs.filter(match)
    return qs

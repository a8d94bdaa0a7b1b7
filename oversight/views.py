"""The supervisor's dashboard for their region (督查)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import Substr
from django.shortcuts import render
from django.utils import timezone

from agencies import jurisdiction
from agencies.models import Region
from cases.models import COVERING_REFERRAL_STATUSES, Case, CaseStatus, Referral, ReferralStatus
from workflows.models import Deadline

LIST_SIZE = 100
SETTLED = COVERING_REFERRAL_STATUSES | {ReferralStatus.REFUSED}


def is_supervisor(user) -> bool:
    return bool(jurisdiction.supervised_paths(user))


@login_required
def dashboard(request):
    paths = jurisdiction.supervised_paths(request.user)
    if not paths:
        raise PermissionDenied
    in_region = jurisdiction.region_q(paths, "case__region__path")
    cases = Case.objects.filter(jurisdiction.region_q(paths))
    # The city is the second code of a region's path: "440000/440100/…".
    by_city = cases.annotate(city=Substr("region__path", 8, 6)).values("city", "status").annotate(n=Count("id"))
    cities = {r.code: r for r in Region.objects.filter(level="city")}
    table: dict[str, dict] = {}
    for row in by_city:
        table.setdefault(row["city"], {s: 0 for s, _label in CaseStatus.choices})[row["status"]] = row["n"]
    now = timezone.now()
    return render(
        request,
        "oversight/dashboard.html",
        {
            "statuses": CaseStatus.choices,
            "by_city": [(cities.get(code), counts, sum(counts.values())) for code, counts in sorted(table.items())],
            "missed": Deadline.objects.filter(in_region, met_at__isnull=True, due_at__lte=now)
            .select_related("case", "referral")
            .order_by("due_at")[:LIST_SIZE],
            "unreferred": Deadline.objects.filter(in_region, step="propose_referral", met_at__isnull=True)
            .select_related("case", "finding__person")
            .order_by("due_at")[:LIST_SIZE],
            "in_progress": Referral.objects.filter(in_region)
            .exclude(status__in=SETTLED)
            .select_related("case", "police_agency")
            .order_by("-updated_at")[:LIST_SIZE],
            "refusals": Referral.objects.filter(in_region, status=ReferralStatus.REFUSED)
            .select_related("case", "referring_agency")
            .order_by("updated_at")[:LIST_SIZE],
            "now": now,
        },
    )

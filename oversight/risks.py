"""Risk lists for supervisors (督查), each one indexed query over the region:

以罚代刑 and its warning signs are visible here before they become a pattern.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jurisdiction
from cases.models import Fine, Referral, ReferralStatus
from core.calendar import legal_time
from workflows.models import Deadline
from workflows.steps import ESCALATING_STEPS


@dataclass(frozen=True)
class Risk:
    title: Any
    query: Any  # (region Q on case, now) -> QuerySet
    when: Any = _("due")  # what the list's time column holds


def _unreferred(q, now):
    return (
        Deadline.objects.filter(q, step="propose_referral", met_at__isnull=True)
        .select_related("case", "finding__person")
        .order_by("due_at", "id")
    )


def _referrals_late(q, now):
    return (
        Deadline.objects.filter(
            q, referral__isnull=False, step__in=ESCALATING_STEPS, met_at__isnull=True, due_at__lte=now
        )
        .select_related("case", "referral")
        .order_by("due_at", "id")
    )


def _refusals(q, now):
    return (
        Referral.objects.filter(q, status=ReferralStatus.REFUSED)
        .select_related("case", "referring_agency")
        .order_by("updated_at", "id")
    )


def _fines_without_referral(q, now):
    unreferred = Deadline.objects.filter(case=OuterRef("case"), step="propose_referral", met_at__isnull=True)
    return Fine.objects.filter(q, Exists(unreferred)).select_related("case", "legal_basis").order_by("decided_at", "id")


# The police's decisions with a period (workflows/steps.py): on a referral, a 治安 matter, a
# reconsideration, the procuratorate's request to explain, its order to file.
POLICE_DECISIONS = ("police_decision", "ps_decision", "decide_reconsideration", "explain", "file_after_order")


def _police_late(q, now):
    return (
        Deadline.objects.filter(q, step__in=POLICE_DECISIONS, met_at__isnull=True, due_at__lte=now)
        .select_related("case", "referral")
        .order_by("due_at", "id")
    )


def _reinspection_late(q, now):
    return (
        Deadline.objects.filter(q, step="reinspect", met_at__isnull=True, due_at__lte=now)
        .select_related("case", "rectification")
        .order_by("due_at", "id")
    )


RISKS = {
    "unreferred-findings": Risk(_("Referable findings not referred"), _unreferred),
    "referrals-past-deadline": Risk(_("Referrals past a legal deadline"), _referrals_late),
    "refusals-awaiting-review": Risk(_("Refusals awaiting review"), _refusals, _("refused at")),
    "fines-without-referral": Risk(
        _("Fines on cases with unreferred referable findings (以罚代刑)"), _fines_without_referral, _("decided at")
    ),
    "police-decisions-overdue": Risk(_("Police decisions overdue"), _police_late),
    "rectifications-past-reinspection": Risk(_("Rectifications past their re-inspection date"), _reinspection_late),
}


def risk_rows(user, name: str) -> QuerySet:
    paths = jurisdiction.supervised_paths(user)
    return RISKS[name].query(jurisdiction.region_q(paths, "case__region__path"), timezone.now())


def describe(row) -> dict:
    """One line of any risk list, the same shape whatever the list: `due_at` is the deadline of a
    deadline's row (null otherwise); `at` the time the list's time column shows — the deadline, the
    refusal, the fine's decision — and `at_local` that time as a person reads it (local, 24:00)."""
    case = row.case
    out = {
        "case": case.pk,
        "case_number": case.number,
        "referral": None,
        "referral_number": None,
        "subject": "",
        "due_at": None,
        "at": None,
        "at_local": "",
        "detail": "",
    }
    if isinstance(row, Deadline):
        out["due_at"] = out["at"] = row.due_at.isoformat()
        out["at_local"] = legal_time(row.due_at)
        out["detail"] = row.label
        # `x is not None` reads no row when x_id is empty, and the row it would have read anyway.
        if row.referral is not None:
            out["referral"], out["referral_number"] = row.referral_id, row.referral.number
        if row.finding is not None:
            out["subject"] = row.finding.person.name if row.finding.person is not None else case.party_name
            out["detail"] = row.finding.get_kind_display()
        if row.rectification is not None:
            out["detail"] = row.rectification.items[:100]
    elif isinstance(row, Referral):
        out["referral"], out["referral_number"] = row.pk, row.number
        out["subject"], out["detail"] = row.referring_agency.name, row.reason
        out["at"], out["at_local"] = row.updated_at.isoformat(), _local(row.updated_at)
    elif isinstance(row, Fine):
        out["subject"], out["detail"] = f"¥{row.amount:,.2f}", f"{row.legal_basis.title} · {row.get_status_display()}"
        out["at"], out["at_local"] = row.decided_at.isoformat(), _local(row.decided_at)
    return out


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

"""Who sees which referral (DESIGN §4): those who see its case; the police agency it is with
(once transmitted); the procuratorate of its region; 404 for everyone else."""

from typing import Any

from django.db.models import Q, QuerySet

from agencies import jurisdiction
from agencies.models import Agency
from cases.access import visible_cases_q
from cases.models import SENT_REFERRAL_STATUSES as SENT
from cases.models import Case, Referral
from core.access import AnyUser, get_visible_or_404


def referrals_visible_to(user: AnyUser) -> QuerySet[Referral]:
    if not user.is_authenticated:
        return Referral.objects.none()
    members = jurisdiction.memberships_of(user)
    # The case's owner is the referring agency; supervisors see their regions; grants go through
    # the case. Spelled out so that each part can use its own index (issue 8, B2).
    q = Q(referring_agency_id__in=[m.agency_id for m in members])
    q |= jurisdiction.region_q(jurisdiction.supervised_paths(user), "case__region__path")
    if any(m.agency.kind in (Agency.Kind.POLICE, Agency.Kind.PROCURATORATE) for m in members):
        q |= Q(case__in=Case.objects.filter(visible_cases_q(user)))
    police = [m.agency_id for m in members if m.agency.kind == Agency.Kind.POLICE]
    if police:
        q |= Q(police_agency_id__in=police, status__in=SENT)
    procuratorates = [m.agency.region.path for m in members if m.agency.kind == Agency.Kind.PROCURATORATE]
    if procuratorates:
        q |= Q(status__in=SENT) & jurisdiction.region_q(procuratorates, "case__region__path")
    return Referral.objects.filter(q)


def get_referral_for(user: AnyUser, pk: Any) -> Referral:
    return get_visible_or_404(referrals_visible_to(user), pk)

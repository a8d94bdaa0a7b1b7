"""Visibility (DESIGN §4): who sees which case. Every view and consumer asks through here.

Not visible → 404; visible but not allowed → 403 (rules.may).
"""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from agencies import jurisdiction
from agencies.models import Agency
from core.access import AnyUser, get_visible_or_404

from .models import (
    SENT_REFERRAL_STATUSES,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Referral,
    Takedown,
)

VIEW_CASE = "view_case"


def _grants(user: User, group_ids: list[int]) -> Q | None:
    """The guardian grants of the user and their agencies' groups, or None when there are none.

    Most users (a regulator's staff) have none: leaving the clause out keeps their case list
    an index scan of their own agency's cases (issue 8, B2).
    """
    to_groups = CaseGroupObjectPermission.objects.filter(group_id__in=group_ids, permission__codename=VIEW_CASE)
    to_user = CaseUserObjectPermission.objects.filter(user=user, permission__codename=VIEW_CASE)
    if not to_groups.values("pk").union(to_user.values("pk")).exists():  # one query for both
        return None
    return Q(pk__in=to_groups.values("content_object_id")) | Q(pk__in=to_user.values("content_object_id"))


def visible_cases_q(user: User) -> Q:
    """The cases a signed-in user sees, as a filter (callers answer the anonymous with none)."""
    members = jurisdiction.memberships_of(user)
    group_ids = [m.agency.group_id for m in members]
    q = Q(agency_id__in=[m.agency_id for m in members])
    q |= jurisdiction.region_q(jurisdiction.supervised_paths(user))
    grants = _grants(user, group_ids)
    if grants is not None:
        q |= grants
    procuratorates = [m.agency.region.path for m in members if m.agency.kind == Agency.Kind.PROCURATORATE]
    if procuratorates:
        # A procuratorate supervises the referrals of its region, and reads their cases.
        sent = Referral.objects.filter(status__in=SENT_REFERRAL_STATUSES).filter(
            jurisdiction.region_q(procuratorates, "case__region__path")
        )
        q |= Q(pk__in=sent.values("case_id"))
    return q


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(visible_cases_q(user))


def get_case_for(user: AnyUser, pk: Any) -> Case:
    """The case if the user may see it; 404 otherwise (never reveal that it exists)."""
    return get_visible_or_404(cases_visible_to(user).select_related("region", "agency"), pk)


def can_see_case(user: AnyUser, case: Case) -> bool:
    """From the user's memberships when they settle it (own agency, supervisor over the region);
    by the full visibility query otherwise."""
    for m in jurisdiction.memberships_of(user):
        if m.agency_id == case.agency_id:
            return True
        if jurisdiction.is_supervision(m) and case.region.path.startswith(m.agency.region.path):
            return True
    return cases_visible_to(user).filter(pk=case.pk).exists()


def takedowns_visible_to(user: AnyUser) -> QuerySet[Takedown]:
    """The cyberspace office asked sees its takedowns; those who see the case see its takedowns."""
    if not user.is_authenticated:
        return Takedown.objects.none()
    return Takedown.objects.filter(
        Q(agency_id__in=jurisdiction.agency_ids_of(user)) | Q(case__in=Case.objects.filter(visible_cases_q(user)))
    )


def get_takedown_for(user: AnyUser, pk: Any) -> Takedown:
    return get_visible_or_404(takedowns_visible_to(user).select_related("case", "agency"), pk)

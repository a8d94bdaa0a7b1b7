"""Who is told of what: decided here, in one place, per event kind (DESIGN §4, issue 4).

Everyone returned can see the case: supervisors of its region, members of its agencies, the
police agency a referral was sent to (granted on transmission), the procuratorate of the region.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from agencies import jurisdiction
from agencies.models import Agency, Membership

User = get_user_model()


def members(agency_id: int, roles: tuple[str, ...] = ("officer", "head")) -> QuerySet:
    return User.objects.filter(memberships__agency_id=agency_id, memberships__role__in=roles, is_active=True)


def heads(agency_id: int) -> QuerySet:
    return members(agency_id, (Membership.Role.HEAD,))


def supervisors(case) -> QuerySet:
    return jurisdiction.supervisors_of(case.region).filter(is_active=True)


def supervisors_above(region) -> QuerySet:
    """Supervisors of the committee offices of the regions above `region` (not of `region` itself)."""
    above = [code for code in region.ancestor_codes() if code != region.code]
    return User.objects.filter(
        memberships__role=Membership.Role.SUPERVISOR,
        memberships__agency__kind=Agency.Kind.COMMITTEE_OFFICE,
        memberships__agency__region__in=above,
        is_active=True,
    ).distinct()


def handlers_and_head(case) -> list:
    return list(case.handlers.filter(is_active=True)) + list(heads(case.agency_id))


def procuratorate_of(police_agency: Agency) -> QuerySet:
    office = jurisdiction.same_city_agency(police_agency.region, Agency.Kind.PROCURATORATE)
    return members(office.pk) if office else User.objects.none()

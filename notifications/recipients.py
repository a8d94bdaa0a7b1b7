"""The groups of people the rules of announce.py name (DESIGN §4, issue 4).

Everyone returned for a case can see it: supervisors of its region, members of its agencies, the
police agency a referral was sent to (granted on transmission), the procuratorate of the region.
announce() still checks each of them against the case.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from agencies import jurisdiction
from agencies.models import Agency, Membership, Region
from workflows.steps import STEPS, Notify, Owner

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
    return jurisdiction.supervisors_in(above).filter(is_active=True)


def handlers_and_head(case) -> list:
    return list(case.handlers.filter(is_active=True)) + list(heads(case.agency_id))


def procuratorate_of(police_agency: Agency) -> QuerySet:
    office = jurisdiction.same_city_agency(police_agency.region, Agency.Kind.PROCURATORATE)
    return members(office.pk) if office else User.objects.none()


def office_supervisors(region: Region) -> QuerySet:
    """Supervisors of the committee office of exactly this region (a city's, for its monthly form)."""
    return jurisdiction.supervisors_in([region.code]).filter(is_active=True)


def province_supervisors(region: Region) -> QuerySet:
    """Supervisors of the committee office of the province the region lies in."""
    return jurisdiction.supervisors_in(region.ancestor_codes(), region__level=Region.Level.PROVINCE).filter(
        is_active=True
    )


def escalated_to(deadline, case, memo: dict) -> list:
    """The people of the deadline table's "escalated to" column (workflows/steps.py STEPS) for
    a missed deadline. Each group is looked up once per region or agency for as long as the caller
    keeps `memo` (the sweep keeps one for its whole run)."""

    def once(key: tuple, load) -> list:
        if key not in memo:
            memo[key] = list(load())
        return memo[key]

    referral = deadline.referral
    people: list = []
    for who in STEPS[deadline.step].escalate_to:
        if who is Notify.SUPERVISORS:
            people += once(("sup", case.region_id), lambda: supervisors(case))
        elif who is Notify.POLICE_HEAD and referral:
            people += once(("ph", referral.police_agency_id), lambda: heads(referral.police_agency_id))
        elif who is Notify.PROCURATORATE and referral and referral.procuratorate_id:
            # The procuratorate asked to supervise.
            people += once(("asked", referral.procuratorate_id), lambda: members(referral.procuratorate_id))
        elif who is Notify.PROCURATORATE and referral:
            people += once(
                ("proc", referral.police_agency_id),
                lambda: procuratorate_of(Agency.objects.select_related("region").get(pk=referral.police_agency_id)),
            )
        elif who is Notify.AGENCY_HEAD:
            people += once(("head", case.agency_id), lambda: heads(case.agency_id))
        elif who is Notify.SUPERVISORS_ABOVE and deadline.listing_id:
            region = deadline.listing.agency.region
            people += once(("above", region.code), lambda region=region: supervisors_above(region))
    return people  # someone named twice is told once (outbox.notify_many)


def owners(deadline, case, memo: dict) -> list:
    """The people who must act before the deadline (workflows/steps.py Owner): reminded one working
    day before it ends. workflows.deadlines.owned_by asks the same question the other way round."""

    def once(key: tuple, load) -> list:
        if key not in memo:
            memo[key] = list(load())
        return memo[key]

    owner, referral = STEPS[deadline.step].owner, deadline.referral
    handlers = once(("handlers", case.pk), lambda: case.handlers.filter(is_active=True))
    if owner is Owner.HANDLERS:
        return handlers
    if owner is Owner.CASE_HEAD:
        return once(("head", case.agency_id), lambda: heads(case.agency_id))
    if owner is Owner.CASE_STAFF:
        return handlers + once(("head", case.agency_id), lambda: heads(case.agency_id))
    if referral is None:
        return []
    referring_heads = once(("head", referral.referring_agency_id), lambda: heads(referral.referring_agency_id))
    if owner is Owner.DECIDING_HEAD:  # four eyes: never the proposer
        return [u for u in referring_heads if u.pk != referral.proposed_by_id]
    if owner is Owner.REFERRING_HEAD:
        return referring_heads
    if owner is Owner.REFERRING_STAFF:
        staff = once(("members", referral.referring_agency_id), lambda: members(referral.referring_agency_id))
        return [u for u in handlers if u in staff] + referring_heads
    if owner is Owner.POLICE:
        return once(("members", referral.police_agency_id), lambda: members(referral.police_agency_id))
    if owner is Owner.POLICE_HEAD:
        return once(("head", referral.police_agency_id), lambda: heads(referral.police_agency_id))
    return []

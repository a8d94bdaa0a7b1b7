"""Who belongs where: the few questions every view asks about a user's agencies and regions.

Memberships are read once per request and cached on the user object.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from core.access import AnyUser

from .models import Agency, Membership, Region

Role = Membership.Role
Kind = Agency.Kind


def memberships_of(user: AnyUser) -> list[Membership]:
    if user.pk is None or not getattr(user, "is_authenticated", False):
        return []
    cached: list[Membership] | None = getattr(user, "_xj_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user_id=user.pk).select_related("agency__region"))
        setattr(user, "_xj_memberships", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def with_memberships(users) -> list:
    """The users, their memberships loaded in one query (for many visibility checks at once)."""
    users = list(users)
    by_user: dict[int, list] = {u.pk: [] for u in users}
    for m in Membership.objects.filter(user__in=users).select_related("agency__region"):
        by_user[m.user_id].append(m)
    for u in users:
        u._xj_memberships = by_user[u.pk]
    return users


def agency_ids_of(user: AnyUser) -> set[int]:
    return {m.agency_id for m in memberships_of(user)}


def role_in(user: AnyUser, agency_id: int) -> str | None:
    for m in memberships_of(user):
        if m.agency_id == agency_id:
            return m.role
    return None


def is_staff_of(user: AnyUser, agency_id: int) -> bool:
    """An officer or the head of the agency (执法人员)."""
    return role_in(user, agency_id) in (Role.OFFICER, Role.HEAD)


def is_legal_reviewer_of(user: AnyUser, agency_id: int) -> bool:
    """A member of the agency's legal office, who reviews penalty decisions (行政处罚法 第58条)."""
    return any(m.agency_id == agency_id and m.legal_review for m in memberships_of(user))


def is_head_of(user: AnyUser, agency_id: int) -> bool:
    return role_in(user, agency_id) == Role.HEAD


def is_supervision(m: Membership) -> bool:
    """A supervisor's membership of a committee office (安委办): what "supervisor of a region" means."""
    return m.role == Role.SUPERVISOR and m.agency.kind == Kind.COMMITTEE_OFFICE


def supervising_offices(user: AnyUser) -> list[Agency]:
    """The committee offices in which the user is a supervisor."""
    return [m.agency for m in memberships_of(user) if is_supervision(m)]


def supervised_paths(user: AnyUser) -> list[str]:
    """Region paths the user supervises: supervisor of a committee office (安委办) there."""
    return [office.region.path for office in supervising_offices(user)]


def supervises(user: AnyUser, region: Region) -> bool:
    return any(region.path.startswith(path) for path in supervised_paths(user))


def office_over(user: AnyUser, region: Region) -> Agency | None:
    """The committee office through which the user supervises `region`, if any."""
    return next((o for o in supervising_offices(user) if region.path.startswith(o.region.path)), None)


def supervises_exactly(user: AnyUser, region: Region) -> bool:
    """A supervisor of the committee office of exactly this region (a city's, for its monthly form)."""
    return any(office.region_id == region.code for office in supervising_offices(user))


def region_q(paths: list[str], field: str = "region__path") -> Q:
    """A Q matching rows whose region lies in any of the subtrees; empty list matches nothing."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def supervisors_in(region_codes, **more) -> QuerySet:
    """Users who supervise through the committee office of one of these regions (`more` filters the office)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__role=Role.SUPERVISOR,
            memberships__agency__kind=Kind.COMMITTEE_OFFICE,
            memberships__agency__region__in=list(region_codes),
            **{f"memberships__agency__{k}": v for k, v in more.items()},
        )
        .distinct()
    )


def supervisors_of(region: Region) -> QuerySet:
    """Supervisors of the region: committee-office supervisors of its city and every region above."""
    return supervisors_in(region.ancestor_codes())


def acting_agency(user: AnyUser, preferred_agency_ids=()) -> Agency | None:
    """The agency on whose behalf the user acts: the first preferred one they belong to."""
    members = memberships_of(user)
    for agency_id in preferred_agency_ids:
        for m in members:
            if m.agency_id == agency_id:
                return m.agency
    return members[0].agency if members else None


def same_city_agency(region: Region, kind: str) -> Agency | None:
    """The agency of `kind` at the region's city (or the region itself when it is a city)."""
    codes = region.ancestor_codes()
    return Agency.objects.filter(kind=kind, region__in=codes).order_by("-region__code").first()

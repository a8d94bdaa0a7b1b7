"""Visibility (DESIGN §4): who sees which case. Every view and consumer asks through here.

Not visible → 404; visible but not allowed → 403 (rules.may).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from agencies import jurisdiction
from agencies.models import Agency
from core.access import AnyUser, get_visible_or_404
from core.identity import redact

from .models import (
    SENT_REFERRAL_STATUSES,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Event,
    Person,
    Referral,
    Takedown,
)
from .rules import is_handler

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
    procuratorate = _procuratorate_referrals_q(members)
    if procuratorate is not None:
        # A procuratorate supervises the referrals sent to the police it oversees, and reads their cases.
        q |= Q(pk__in=Referral.objects.filter(procuratorate).values("case_id"))
    return q


def _procuratorate_referrals_q(members: list[Any]) -> Q | None:
    """The sent referrals a procuratorate member sees: those of cases in its region, those sent to a
    police agency in its region (the same-level copy of 应急〔2019〕54号 第8条, also after a forward to
    another city), and those it was asked to supervise. None for someone of no procuratorate."""
    offices = [m.agency for m in members if m.agency.kind == Agency.Kind.PROCURATORATE]
    if not offices:
        return None
    paths = [office.region.path for office in offices]
    where = jurisdiction.region_q(paths, "case__region__path") | jurisdiction.region_q(
        paths, "police_agency__region__path"
    )
    return Q(status__in=SENT_REFERRAL_STATUSES) & (where | Q(procuratorate_id__in=[o.pk for o in offices]))


def referrals_visible_to(user: AnyUser) -> QuerySet[Referral]:
    """Who sees which referral (DESIGN §4, LEGAL.md §2): the referring agency and the supervisors
    of the case's region; the police agency it is with (and the one that forwarded it), and the
    procuratorates concerned, once it has been transmitted to them — never a proposal or approval
    before that, even of a case they see."""
    if not user.is_authenticated:
        return Referral.objects.none()
    members = jurisdiction.memberships_of(user)
    # Spelled out so that each part can use its own index (issue 8, B2).
    q = Q(referring_agency_id__in=[m.agency_id for m in members])
    q |= jurisdiction.region_q(jurisdiction.supervised_paths(user), "case__region__path")
    police = [m.agency_id for m in members if m.agency.kind == Agency.Kind.POLICE]
    if police:
        q |= Q(police_agency_id__in=police, status__in=SENT_REFERRAL_STATUSES)
        # The police that forwarded it keep the record of what they received and sent on.
        q |= Q(forwarded_from_id__in=police)
    procuratorate = _procuratorate_referrals_q(members)
    if procuratorate is not None:
        q |= procuratorate
    return Referral.objects.filter(q)


@dataclass(frozen=True)
class Identities:
    """Whose ID numbers one user sees in full on one case (DESIGN §2, LEGAL.md §2): the handlers see
    all; the police and the procuratorates see the persons of the referrals sent to them, since they
    cannot act on a masked number; everyone else sees them masked. Every full rendering is recorded
    (IdNumberView)."""

    everyone: bool = False
    persons: frozenset[int] = frozenset()
    party: bool = False
    # The police and the procuratorates read a case through the referrals sent to them: they see
    # those persons (and the party, if sent) and their findings, not a person added later or one
    # whose proposal has not reached them.
    limited: bool = False

    def sees(self, person_id: int | None) -> bool:
        if not self.limited:
            return True
        return person_id in self.persons if person_id is not None else self.party

    def of(self, person: Person) -> str:
        return person.id_number if self.everyone or person.pk in self.persons else person.id_masked

    def of_party(self, case: Case) -> str:
        return case.party_id_number if self.everyone or self.party else case.party_id_masked

    def full_for(self, person_id: int | None) -> bool:
        """Whether this user sees in full the ID number of this person (None: the party)."""
        if self.everyone:
            return True
        return person_id in self.persons if person_id is not None else self.party

    def certificate(self, number: str, person_id: int | None) -> str:
        """A certificate number is a letter and its holder's ID number (T440106199001011235): shown
        in full to whoever sees the holder's ID number in full, masked as that number otherwise
        (T440***********1235). `person_id`: the holder, None for the party."""
        return number if self.full_for(person_id) else redact(number)

    def data(self, value: Any) -> Any:
        """An event's data (or any text about the case) as this user may read it: the ID numbers
        written in it — certificate numbers included — masked unless the user sees the ID number
        of the person it is about in full ("person": None is the party). Data about no one in
        particular is masked for everyone but those who see all of the case's numbers."""
        if self.everyone:
            return value
        if isinstance(value, dict) and "person" in value and self.full_for(value["person"]):
            return value
        return redact(value)


def identities_shown(user: AnyUser, case: Case, *, signing: bool = False) -> Identities:
    """`signing`: the referring agency's head too (they sign the 移送书)."""
    if not user.is_authenticated:
        return Identities()
    if is_handler(user, case) or (signing and jurisdiction.is_head_of(user, case.agency_id)):
        return Identities(everyone=True)
    members = jurisdiction.memberships_of(user)
    if not any(m.agency.kind in (Agency.Kind.POLICE, Agency.Kind.PROCURATORATE) for m in members):
        return Identities()
    persons: set[int] = set()
    party = False
    sent = referrals_visible_to(user).filter(case=case, status__in=SENT_REFERRAL_STATUSES)
    # One row per referred person (one with None for a referral of the party alone), in one query.
    for person, includes_party in sent.values_list("persons", "includes_party"):
        if person is not None:
            persons.add(person)
        party = party or includes_party
    return Identities(persons=frozenset(persons), party=party, limited=True)


def persons_searchable_by(user: AnyUser) -> QuerySet[Person]:
    """The persons a user may find a case by (name or ID number): for the police and the
    procuratorates only those of the referrals sent to them (as on the case page), so a search
    never confirms that someone not sent to them is in a case."""
    persons = Person.objects.all()
    members = jurisdiction.memberships_of(user) if user.is_authenticated else []
    if not any(m.agency.kind in (Agency.Kind.POLICE, Agency.Kind.PROCURATORATE) for m in members):
        return persons
    sent = referrals_visible_to(user).filter(status__in=SENT_REFERRAL_STATUSES)
    own = Q(case__agency_id__in=[m.agency_id for m in members]) | jurisdiction.region_q(
        jurisdiction.supervised_paths(user), "case__region__path"
    )
    return persons.filter(own | Q(referrals__in=sent)).distinct()


def found_by_document_q(user: AnyUser, hashes: set[str]) -> Q:
    """The cases a search by identity document finds for this user (issue 17 §2): those of a person
    or party with one of these document hashes whose number the user sees in full on that case —
    the rule of identities_shown, as a query: the handlers, and the police and procuratorates for
    the persons (and the party) of the referrals sent to them. Nobody else learns from a search
    that a number is in a case."""
    if not user.is_authenticated or not hashes:
        return Q(pk__in=[])
    handled = Case.handlers.through.objects.filter(user_id=user.pk).values("case_id")
    person_ok = Q(case_id__in=handled)
    party_ok = Q(pk__in=handled)
    members = jurisdiction.memberships_of(user)
    if any(m.agency.kind in (Agency.Kind.POLICE, Agency.Kind.PROCURATORATE) for m in members):
        sent = referrals_visible_to(user).filter(status__in=SENT_REFERRAL_STATUSES)
        person_ok |= Q(pk__in=sent.values("persons"))
        party_ok |= Q(pk__in=sent.filter(includes_party=True).values("case_id"))
    persons = Person.objects.filter(person_ok, id_hash__in=sorted(hashes)).values("case_id")
    return Q(pk__in=persons) | (Q(party_id_hash__in=sorted(hashes)) & party_ok)


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(visible_cases_q(user))


def get_case_for(user: AnyUser, pk: Any) -> Case:
    """The case if the user may see it; 404 otherwise (never reveal that it exists)."""
    return get_visible_or_404(cases_visible_to(user).select_related("region", "agency"), pk)


def can_see_case(user: AnyUser, case: Case, referral: Referral | None = None) -> bool:
    """From the user's memberships when they settle it (own agency, supervisor over the region; and
    with a sent `referral` of the case at hand, the police it is with and the procuratorates that
    see it, as visible_cases_q grants them); by the full visibility query otherwise."""
    sent = referral is not None and referral.case_id == case.pk and referral.status in SENT_REFERRAL_STATUSES
    for m in jurisdiction.memberships_of(user):
        if m.agency_id == case.agency_id:
            return True
        if jurisdiction.is_supervision(m) and case.region.path.startswith(m.agency.region.path):
            return True
        if sent and referral is not None and _sees_through(m, case, referral):
            return True
    return cases_visible_to(user).filter(pk=case.pk).exists()


def _sees_through(m: Any, case: Case, referral: Referral) -> bool:
    """Whether a membership sees the case through this sent referral of it: the police agency it
    was transmitted (or forwarded) to holds the grant of it (workflows.actions._grant); a
    procuratorate sees it as _procuratorate_referrals_q says."""
    if m.agency_id == referral.police_agency_id:
        return True
    if m.agency.kind != Agency.Kind.PROCURATORATE:
        return False
    path = m.agency.region.path
    return (
        referral.procuratorate_id == m.agency_id
        or case.region.path.startswith(path)
        or referral.police_agency.region.path.startswith(path)
    )


def takedowns_visible_to(user: AnyUser) -> QuerySet[Takedown]:
    """The cyberspace office asked sees its takedowns; those who see the case see its takedowns."""
    if not user.is_authenticated:
        return Takedown.objects.none()
    return Takedown.objects.filter(
        Q(agency_id__in=jurisdiction.agency_ids_of(user)) | Q(case__in=Case.objects.filter(visible_cases_q(user)))
    )


def get_takedown_for(user: AnyUser, pk: Any) -> Takedown:
    return get_visible_or_404(takedowns_visible_to(user).select_related("case", "agency"), pk)


def sees_internals(user: AnyUser, case: Case) -> bool:
    """Whether the user sees the case's internals — its internal notes (内部备注): the members of
    the owning agency and the supervisors of the case's region. Not the police, the procuratorates
    or any other agency that sees the case through a referral or a takedown."""
    if not user.is_authenticated:
        return False
    if case.agency_id in jurisdiction.agency_ids_of(user):
        return True
    return jurisdiction.supervises(user, case.region)


# Events that are internal to the owning agency and its supervisors (sees_internals).
INTERNAL_EVENTS = ("add_note",)


def events_visible_to(user: AnyUser, case: Case) -> QuerySet[Event]:
    """The case's events the user may read: all but those of referrals they do not see (a police
    agency sees the case's own events and those of the referral sent to it, not a proposal), and
    for the police and the procuratorates none about a person not sent to them; the internal notes
    only for those who see the case's internals."""
    events = Event.objects.filter(case=case).filter(
        Q(referral__isnull=True) | Q(referral__in=referrals_visible_to(user).filter(case=case))
    )
    if not sees_internals(user, case):
        events = events.exclude(action__in=INTERNAL_EVENTS)
    shown = identities_shown(user, case)
    if shown.limited:
        about = ~Q(data__has_key="person") | Q(data__person__in=sorted(shown.persons))
        if shown.party:
            about |= Q(data__person=None)
        events = events.filter(about)
    return events

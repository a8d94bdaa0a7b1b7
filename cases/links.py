"""倒查 (the seed notice: 倒查并依法打击假冒证书获取渠道): a holder's case joined to the case of whoever
sold, supplied or renewed the certificate, so a seller can be followed to all of its buyers across
cities.

Links are suggested where two cases share a certificate number, or where a finding names as its
source (卖证人、中介、培训机构) the party or a person of another case. A user is shown only the cases
they may open; the others are named by number, city and agency only, so the seller's city knows that
its buyers exist elsewhere, and a handler may link a case of another city that a suggestion names.
"""

from collections import deque
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import Code, Conflict, field_error
from core.identity import plain

from .access import cases_visible_to
from .models import Case, CaseLink, Finding
from .protocol import action, announce, begin_case, finish

NETWORK_DEPTH = 4  # seller → buyers → their other sellers …: far enough for a ring, bounded


def certificate_key(number: str) -> str:
    """One spelling of a certificate number: NFKC, upper case, no spaces inside."""
    return "".join(plain(number).split())


@dataclass(frozen=True)
class Suggestion:
    case: Case
    why: str
    visible: bool = True


@dataclass(frozen=True)
class Linked:
    """One link of a case, seen from it: the other case, what it is to this one, and whether the user
    may open it. A case the user may not see is named by its number, city and agency only, so the
    seller's city knows its buyers exist elsewhere and whom to ask."""

    link: CaseLink
    other: Case
    direction: str  # "source": the other case sold or supplied; "holder": it bought
    visible: bool


def _names(case: Case) -> set[str]:
    return {case.party_name.strip()} | {p.name.strip() for p in case.persons.all()}


def _linked_ids(case: Case) -> set[int]:
    pairs = CaseLink.objects.filter(Q(holder_case=case) | Q(source_case=case)).values_list(
        "holder_case_id", "source_case_id"
    )
    return {pk for pair in pairs for pk in pair}


def candidates(case: Case) -> list[Suggestion]:
    """Every other case that shares a certificate number with this one, or that a source named in
    one of the two cases' findings points to (whoever may see them). Three queries, whatever the case."""
    findings = list(case.findings.all())
    numbers = {f.certificate_number for f in findings if f.certificate_number}
    sources = {f.source.strip() for f in findings if f.source.strip()}
    names = _names(case)
    out: dict[int, Suggestion] = {}
    skip = _linked_ids(case) | {case.pk}
    shared = (
        Finding.objects.filter(Q(certificate_number__in=numbers) | Q(source__in=names))
        .exclude(case_id__in=skip)
        .select_related("case__region", "case__agency")
        .order_by("pk")
    )
    for f in shared:
        if f.certificate_number in numbers:
            why = _("the same certificate %(number)s") % {"number": f.certificate_number}
        else:
            why = _("its finding names this case's %(name)s as the source") % {"name": f.source}
        out.setdefault(f.case_id, Suggestion(f.case, why))
    named = (
        Case.objects.filter(Q(party_name__in=sources) | Q(persons__name__in=sources))
        .exclude(pk__in=skip)
        .select_related("region", "agency")
    )
    for other in named.distinct().order_by("pk"):
        out.setdefault(other.pk, Suggestion(other, _("a finding here names it as the source")))
    return list(out.values())


def _visible_ids(user: Any, ids: set[int]) -> set[int]:
    # One query whether or not anything was found (an empty pk__in would skip it): the page's cost
    # stays the same for every case.
    return set(cases_visible_to(user).filter(pk__in=list(ids) or [0]).values_list("pk", flat=True))


def suggestions_for(case: Case, user: Any) -> tuple[list[Suggestion], int]:
    """Every suggestion, each marked whether the user may open its case, and how many they may not."""
    found = candidates(case)
    visible = _visible_ids(user, {s.case.pk for s in found})
    marked = [Suggestion(s.case, s.why, s.case.pk in visible) for s in found]
    return marked, sum(1 for s in marked if not s.visible)


def links_of(case: Case, user: Any) -> list[Linked]:
    """Every link of this case, each marked whether the user may open the other end."""
    rows = list(
        CaseLink.objects.filter(Q(holder_case=case) | Q(source_case=case))
        .select_related("holder_case__region", "holder_case__agency", "source_case__region", "source_case__agency")
        .order_by("pk")
    )
    others = [(link, link.source_case if link.holder_case_id == case.pk else link.holder_case) for link in rows]
    visible = _visible_ids(user, {other.pk for _link, other in others})
    return [
        Linked(link, other, "source" if link.holder_case_id == case.pk else "holder", other.pk in visible)
        for link, other in others
    ]


def network(case: Case, user: Any) -> list[tuple[Case, int, bool]]:
    """The cases joined to this one through links, each with its distance and whether the user may
    open it, as far as NETWORK_DEPTH. The network is followed through the cases the user may see; a
    case they may not see is shown (number, city, agency) and ends its branch."""
    visible = cases_visible_to(user)
    seen = {case.pk: 0}
    hidden: set[int] = set()
    queue = deque([case.pk])
    while queue:
        current = queue.popleft()
        if seen[current] >= NETWORK_DEPTH:
            continue
        neighbours = (
            set(CaseLink.objects.filter(holder_case_id=current).values_list("source_case_id", flat=True))
            | set(CaseLink.objects.filter(source_case_id=current).values_list("holder_case_id", flat=True))
        ) - set(seen)
        allowed = set(visible.filter(pk__in=neighbours).values_list("pk", flat=True))
        for pk in sorted(neighbours):
            seen[pk] = seen[current] + 1
            if pk in allowed:
                queue.append(pk)
            else:
                hidden.add(pk)
    cases = {c.pk: c for c in Case.objects.filter(pk__in=seen).select_related("region", "agency")}
    return sorted(
        ((cases[pk], d, pk not in hidden) for pk, d in seen.items() if pk != case.pk),
        key=lambda item: (item[1], item[0].number),
    )


def _other_case(actor: User, case: Case, number: str) -> Case:
    """The case to link: one the actor may see, or one of another city that shares a certificate or
    a source with this case (its suggestion names it); any other number is refused alike."""
    key = plain(number)
    wanted = Q(number=key) | Q(pk=int(key)) if key.isdigit() else Q(number=key)
    other = cases_visible_to(actor).filter(wanted).first()
    if other is None:
        other = next((s.case for s in candidates(case) if s.case.number == key), None)
    if other is None:
        raise field_error(
            "case",
            _(
                "No case %(number)s that you may see or that shares a certificate or a source with this one: "
                "check the number, or ask the province's supervisors to link them."
            )
            % {"number": number},
        )
    if other.pk == case.pk:
        raise field_error("case", _("A case is not linked to itself."))
    return other


@action
def link_case(
    case: Case,
    *,
    actor: User,
    case_number: str,
    relation: str,
    note: str = "",
    certificate_number: str = "",
    version: int | None = None,
) -> CaseLink:
    """Join this (the holder's) case to the case of whoever sold, supplied or renewed the certificate
    (for the same certificate, either way round). The handlers of the case or its supervisors link;
    the other case is one they may see or one a suggestion names; its handlers are told."""
    case = begin_case(case, actor=actor, action="link_case", version=version)
    # The other case is not locked (two links made at once from either end must not deadlock): the
    # link's own uniqueness settles a race.
    other = _other_case(actor, case, case_number)
    if relation not in CaseLink.Relation.values:
        raise field_error("relation", _("Choose how the cases are linked."))
    if CaseLink.objects.filter(
        Q(holder_case=case, source_case=other) | Q(holder_case=other, source_case=case)
    ).exists():
        raise Conflict(Code.INVALID_TRANSITION, _("These cases are already linked."))
    try:
        with transaction.atomic():
            link = CaseLink.objects.create(
                holder_case=case,
                source_case=other,
                relation=relation,
                certificate_number=certificate_key(certificate_number) if certificate_number else "",
                note=note,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(Code.INVALID_TRANSITION, _("These cases are already linked.")) from None
    if other.agency_id != case.agency_id:
        announce("case_linked", case=other, city=case.region.name, other=case.number)
    finish(
        case,
        actor=actor,
        action="link_case",
        data={"link": link.pk, "case": other.number, "relation": relation, "note": note},
    )
    return link

"""The load generator's synthetic world, planned: cases and what their status implies, unsaved.

Cases over the 21 cities in every case status, with parties, persons, findings, handlers and
measures, each built with the model's constructor (statuses included), and each case's story:
the actions that brought it to its status, from which its version and its events follow. The
writers (demo/load.py, demo/pg_copy.py) save a planned batch; events_of makes its events with
cases.events.build_event, the chain's own constructor.
"""

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from agencies.models import Agency, Region
from cases.events import build_event
from cases.kinds import FINDING_RULES, FindingKind
from cases.models import (
    Case,
    CaseStatus,
    Event,
    Finding,
    Fine,
    FineStatus,
    LegalBasis,
    Person,
    Rectification,
    RectificationStatus,
)
from core.identity import id_hash

from .sample_cases import SURNAMES, make_credit_code, make_id_number

STATUS_SHARES = {CaseStatus.LEAD: 0.10, CaseStatus.DECLINED: 0.05, CaseStatus.OPEN: 0.50, CaseStatus.CLOSED: 0.35}
REFERABLE_SHARE = 0.3  # of the open cases: a forged certificate, the rest unlicensed operation
# --referral-share is a share of all new cases; the referred are drawn from the referable ones.
REFERABLE_OF_ALL = STATUS_SHARES[CaseStatus.OPEN] * REFERABLE_SHARE
SOURCES = ["inspection", "tip", "verification", "self_report"]
PARTY_KINDS = ["employer", "employer", "employer", "training_institution", "intermediary", "website"]
FINE = "20000.00"
ITEMS = "整改"


@dataclass
class Cast:
    """Who and what the world is made of, read once: the demo users, cities and regulators."""

    users: dict
    regions: dict[str, Region]
    regulators: dict[str, Agency]  # the city's safety regulator, by region code
    basis: LegalBasis | None

    @classmethod
    def load(cls) -> "Cast":
        return cls(
            users={u.username: u for u in get_user_model().objects.filter(username__contains=".")},
            regions={r.code: r for r in Region.objects.filter(level="city")},
            regulators={
                a.region_id: a for a in Agency.objects.filter(kind=Agency.Kind.SAFETY_REGULATOR, region__level="city")
            },
            basis=LegalBasis.objects.filter(code="AQSCF-97-7", valid_to__isnull=True).first(),
        )


@dataclass
class Planned:
    """One case of the world and everything in it, before it is written."""

    case: Case
    officer: Any  # a User
    head: Any  # a User
    story: list[str]
    handlers: list = field(default_factory=list)
    person: Person | None = None
    finding: Finding | None = None
    order: Rectification | None = None
    fine: Fine | None = None
    refer: bool = False


def story(status: str, referable: bool) -> list[str]:
    """The actions that brought a generated case to its status, in order: its event chain."""
    if status == CaseStatus.LEAD:
        return ["create"]
    if status == CaseStatus.DECLINED:
        return ["create", "decline"]
    actions = ["create", "open", "record_finding"]
    if not referable:
        actions += ["order_rectification", "impose_fine"]
    if status == CaseStatus.CLOSED:
        actions.append("close")
    return actions


def plan(
    cast: Cast,
    *,
    code: str,
    slug: str,
    year: int,
    seq: int,
    ordinal: int,
    rng: random.Random,
    now,
    refer_share: float,
) -> Planned:
    """One case in a status drawn from STATUS_SHARES, with what that status implies."""
    (status,) = rng.choices(list(STATUS_SHARES), weights=list(STATUS_SHARES.values()))
    referable = status == CaseStatus.OPEN and rng.random() < REFERABLE_SHARE
    created = now - datetime.timedelta(days=rng.randint(1, 1000), minutes=rng.randint(0, 1439))
    actions = story(status, referable)
    officer, second, head = (cast.users[f"{slug}.{role}"] for role in ("officer1", "officer2", "head"))
    opened = "open" in actions
    p = Planned(
        case=Case(
            number=f"{code}-{year}-{seq:05d}",  # as cases.actions numbers them
            status=status,
            source=rng.choice(SOURCES),
            region_id=code,
            agency=cast.regulators[code],
            summary="特种作业人员持证情况检查",
            party_kind=rng.choice(PARTY_KINDS),
            party_name=f"{cast.regions[code].name}第{seq}号负载测试企业",
            party_credit_code=make_credit_code(code, ordinal),
            requires_referral=referable,
            version=len(actions),  # one per action, as the actions count it
            created_by=officer,
            created_at=created,
            opened_at=created if opened else None,
            closed_at=created if status in (CaseStatus.CLOSED, CaseStatus.DECLINED) else None,
        ),
        officer=officer,
        head=head,
        story=actions,
    )
    if opened:
        p.handlers = [officer, second]
        birth = datetime.date(1970 + ordinal % 30, 1 + ordinal % 12, 1 + ordinal % 28)
        id_number = make_id_number(code, birth, ordinal)
        p.person = Person(
            case=p.case,
            name=rng.choice(SURNAMES) + "某",
            id_number=id_number,
            id_hash=id_hash(id_number),
            role="holder",
            created_at=created,
        )
        kind = FindingKind.FORGED_CERTIFICATE if referable else FindingKind.UNLICENSED_OPERATION
        p.finding = Finding(
            case=p.case,
            kind=kind,
            person=p.person,
            referable=FINDING_RULES[kind].referable,
            recorded_by=officer,
            recorded_at=created,
        )
        p.refer = referable and rng.random() < refer_share / REFERABLE_OF_ALL
    ended = status == CaseStatus.CLOSED  # a closed case's measures have ended
    if "order_rectification" in actions:
        p.order = Rectification(
            case=p.case,
            deadline=created.date() + datetime.timedelta(days=15),
            items=ITEMS,
            status=RectificationStatus.COMPLIED if ended else RectificationStatus.ISSUED,
            issued_by=officer,
            issued_at=created,
        )
    if "impose_fine" in actions:
        p.fine = Fine(
            case=p.case,
            amount=FINE,
            legal_basis=cast.basis,
            status=FineStatus.PAID if ended else FineStatus.DECIDED,
            decided_by=head,
            decided_at=created,
            decided_on=created.date(),
        )
    return p


def events_of(p: Planned) -> list[Event]:
    """The case's chain, one event per action of its story, made by build_event (the case's head
    moves in memory; append_events saves both)."""
    case, events = p.case, []
    step: tuple[str, str, Any, dict[str, Any]]
    for action in p.story:
        match action:
            case "create":
                step = ("", CaseStatus.LEAD, p.officer, {"source": case.source})
            case "open":
                step = (CaseStatus.LEAD, CaseStatus.OPEN, p.officer, {"handlers": [u.username for u in p.handlers]})
            case "decline":
                step = (CaseStatus.LEAD, CaseStatus.DECLINED, p.head, {"reason": "线索不实"})
            case "record_finding":
                step = (
                    CaseStatus.OPEN,
                    CaseStatus.OPEN,
                    p.officer,
                    {"kind": p.finding.kind if p.finding else "", "person": p.person.pk if p.person else None},
                )
            case "order_rectification":
                step = (CaseStatus.OPEN, CaseStatus.OPEN, p.officer, {"items": ITEMS})
            case "impose_fine":
                step = (CaseStatus.OPEN, CaseStatus.OPEN, p.head, {"amount": FINE})
            case "close":
                step = (CaseStatus.OPEN, CaseStatus.CLOSED, p.head, {"summary": "结案"})
            case _:
                raise ValueError(f"no event for {action!r}")
        from_status, to_status, who, data = step
        events.append(
            build_event(
                case,
                action=action,
                actor=who,
                agency=case.agency,
                from_status=from_status,
                to_status=to_status,
                data=data,
                at=case.created_at,
            )
        )
    return events

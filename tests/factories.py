"""Aggregates built through the real actions, so every event and number is as in production."""

import datetime
import itertools
from decimal import Decimal

import factory
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Region
from cases import actions
from cases.models import Case
from certificates.actions import add_evidence
from core.calendar import LEGAL_TZ, is_working_day
from demo import penalties
from demo.penalties import RECORD
from demo.sample_cases import make_credit_code, make_id_number

_seq = itertools.count(1)


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


class CaseFactory(factory.django.DjangoModelFactory):
    """CaseFactory(city="guangzhou", status="open") → a case in that state, with its events."""

    class Meta:
        model = Case

    @classmethod
    def _create(cls, model_class, city="guangzhou", status="lead", party=None, **kwargs):
        officer1, officer2, head = (demo_user(f"{city}.{r}") for r in ("officer1", "officer2", "head"))
        region = Region.objects.get(slug=city)
        n = next(_seq)
        case = actions.create_case(
            actor=officer1,
            source=kwargs.get("source", "inspection"),
            region=region,
            party=party
            or {
                "kind": "employer",
                "name": f"测试建筑工程有限公司{n}",
                "credit_code": make_credit_code(region.code, n),
            },
            summary=kwargs.get("summary", "特种作业人员持证情况检查"),
        )
        if status in ("open", "closed"):
            actions.open_case(case, actor=officer1, handlers=[officer1.username, officer2.username])
        if status == "declined":
            actions.decline_case(case, actor=head, reason="线索不实")
        if status == "closed":
            actions.close_case(case, actor=head, summary="无违法事实，结案")
        case.refresh_from_db()
        return case


def add_person(case, *, actor="guangzhou.officer1", name="张三", n=None):
    n = n if n is not None else next(_seq)
    return actions.add_person(
        case,
        actor=demo_user(actor),
        name=name,
        id_number=make_id_number(case.region_id, datetime.date(1980, 5, 17), n),
        role="holder",
    )


def fine_of(case, amount="20000.00", basis="AQSCF-97-7", actor="guangzhou.head", served=False, **options):
    """A fine decided through the penalty procedure (the party waived its period), served if asked;
    on a case that records no act yet, a worker's 无证上岗 is recorded first (行政处罚法 第40条)."""
    city = actor.split(".")[0]
    an_act(case, city)
    return penalties.fine(
        case,
        head=demo_user(actor),
        handler=demo_user(f"{city}.officer1"),
        amount=Decimal(amount),
        legal_basis=basis,
        served=served,
        **options,
    )


def an_act(case, city="guangzhou"):
    """The act a penalty rests on — a 无证上岗 finding, unless the case already records one — and the
    evidence a decision states (行政处罚法 第40条、第59条)."""
    officer = case.handlers.order_by("username").first() or demo_user(f"{city}.officer1")
    if not case.findings.exists():
        actions.record_finding(case, actor=officer, kind="unlicensed_operation")
    if not case.evidence.exists():
        add_evidence(case, SimpleUploadedFile("现场检查笔录.pdf", RECORD, "application/pdf"), actor=officer)
    return case.findings.order_by("pk").first()


def failed_rectification(case, *, actor="guangzhou.officer1"):
    """A rectification order not complied with (逾期未改正), found so after its deadline."""
    officer = demo_user(actor)
    order = actions.order_rectification(
        case, actor=officer, deadline=actions.local_today() + datetime.timedelta(days=1), items="清退无证人员"
    )
    later = datetime.datetime.combine(order.deadline + datetime.timedelta(days=1), datetime.time(9), tzinfo=LEGAL_TZ)
    with time_machine.travel(later, tick=False):
        actions.verify_rectification(case, actor=officer, order=order.pk, passed=False, note="逾期未改正")
    return order


def suspension_of(case, actor="guangzhou.head", reason="整顿", starts_on=None):
    """A suspension of production decided and served through the penalty procedure, after a failed
    rectification (安全生产法 第97条)."""
    city = actor.split(".")[0]
    an_act(case, city)
    if not case.rectifications.filter(status="failed").exists():
        failed_rectification(case, actor=f"{city}.officer1")
    return penalties.suspension(
        case,
        head=demo_user(actor),
        handler=demo_user(f"{city}.officer1"),
        reason=reason,
        starts_on=starts_on or actions.local_today(),
    )


def hearing_time(days_ahead: int = 20) -> datetime.datetime:
    """09:30 on the first working day at least `days_ahead` days from now (a hearing's time)."""
    day = actions.local_today() + datetime.timedelta(days=days_ahead)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=LEGAL_TZ)

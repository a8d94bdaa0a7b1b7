"""Aggregates built through the real actions, so every event and number is as in production."""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from agencies.models import Region
from cases import actions
from cases.models import Case
from demo import penalties
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
    """A fine decided through the penalty procedure (the party waived its period), served if asked."""
    city = actor.split(".")[0]
    return penalties.fine(
        case,
        head=demo_user(actor),
        handler=demo_user(f"{city}.officer1"),
        amount=Decimal(amount),
        legal_basis=basis,
        served=served,
        **options,
    )


def suspension_of(case, actor="guangzhou.head", reason="整顿", starts_on=None):
    """A suspension of production decided through the penalty procedure."""
    city = actor.split(".")[0]
    return penalties.suspension(
        case,
        head=demo_user(actor),
        handler=demo_user(f"{city}.officer1"),
        reason=reason,
        starts_on=starts_on or actions.local_today(),
    )

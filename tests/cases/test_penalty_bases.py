"""Bases as dated, typed data (LEGAL.md §3): whom a provision reaches, who applies it, on what
condition, with a warning or not, on which days; and one fine for one act (行政处罚法 第29条)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Region
from cases import actions
from cases.models import Penalty
from core.errors import Conflict
from demo.sample_cases import make_credit_code, make_id_number
from tests.factories import CaseFactory, add_person, an_act, demo_user

pytestmark = pytest.mark.django_db
U = demo_user
IN_ORDER_30 = "2026-05-01"  # 原国家安全监管总局令第30号 was in force to 2026-05-31


def fine(api, case, username="guangzhou.head", **body):
    """The head starts a fine; a case that records no act yet gets a worker's 无证上岗 first."""
    if not case.findings.exists():
        an_act(case)
    return api(username).post(f"/api/v1/cases/{case.pk}/actions/impose_fine/", body, format="json")


def person(case, role, name):
    n = case.persons.count() + 1
    id_number = make_id_number(case.region_id, datetime.date(1980, 1, 1 + n), 500 + n)
    return actions.add_person(case, actor=U("guangzhou.officer1"), name=name, id_number=id_number, role=role)


def failed_rectification(case):
    order = actions.order_rectification(
        case,
        actor=U("guangzhou.officer1"),
        deadline=datetime.date.today() + datetime.timedelta(days=10),
        items="清退无证人员",
    )
    with pytest.raises(Conflict):  # not before the period has run out
        actions.verify_rectification(case, actor=U("guangzhou.officer1"), order=order.pk, passed=False)
    later = timezone.make_aware(
        datetime.datetime.combine(order.deadline + datetime.timedelta(days=1), datetime.time(9))
    )
    with time_machine.travel(later, tick=False):
        actions.verify_rectification(
            case, actor=U("guangzhou.officer1"), order=order.pk, passed=False, note="逾期未改正"
        )


def test_the_person_fine_of_article_97_reaches_the_managers_after_a_failed_rectification_never_the_worker(api):
    case = CaseFactory(status="open")
    worker, manager = person(case, "holder", "王工人"), person(case, "responsible", "李经理")
    body = {"amount": "30000.00", "legal_basis": "AQSCF-97-7-PERSON"}
    r = fine(api, case, person=worker.pk, **body)
    assert r.status_code == 400 and "直接负责的主管人员" in r.json()["person"][0], r.content
    r = fine(api, case, person=manager.pk, **body)
    assert r.status_code == 400 and "逾期未改正" in r.json()["legal_basis"][0], r.content
    failed_rectification(case)
    r = fine(api, case, person=manager.pk, **body)
    assert r.status_code == 200, r.content
    assert Penalty.objects.get(case=case).person == manager


def test_the_overdue_fine_needs_the_failed_rectification_it_punishes(api):
    case = CaseFactory(status="open")
    # 第97条: 逾期未改正 — 责令停产停业整顿 and the fine together.
    body = {"amount": "150000.00", "legal_basis": "AQSCF-97-7-OVERDUE", "starts_on": timezone.localdate().isoformat()}
    r = fine(api, case, **body)
    assert r.status_code == 400 and "逾期未改正" in r.json()["legal_basis"][0]
    failed_rectification(case)
    assert fine(api, case, **body).status_code == 200


@pytest.mark.parametrize("kind", ["training_institution", "intermediary"])
def test_article_97_never_fines_a_training_institution_or_an_intermediary(api, kind):
    party = {"kind": kind, "name": "某培训中介机构", "credit_code": make_credit_code("440100", 555)}
    case = CaseFactory(status="open", party=party)
    r = fine(api, case, amount="20000.00", legal_basis="AQSCF-97-7")
    assert r.status_code == 400 and "用人单位" in r.json()["legal_basis"][0], r.content
    assert not case.fines.exists() and not case.penalties.exists()


def test_a_market_regulator_cannot_apply_the_work_safety_law(api):
    market = U("guangzhou.market")
    case = actions.create_case(
        actor=market,
        source="inspection",
        region=case_region(),
        party={"kind": "employer", "name": "某用工企业", "credit_code": make_credit_code("440100", 556)},
        summary="市场检查",
    )
    actions.open_case(case, actor=market, handlers=["guangzhou.market", "guangzhou.market_head"])
    r = fine(api, case, "guangzhou.market_head", amount="20000.00", legal_basis="AQSCF-97-7")
    assert r.status_code == 400, r.content
    assert "应急管理" in r.json()["legal_basis"][0] and "市场监督管理局" in r.json()["legal_basis"][0]
    assert not case.fines.exists() and not case.penalties.exists()


def case_region():
    return Region.objects.get(code="440100")


def test_one_act_is_fined_once_whatever_the_provision(api):
    case = CaseFactory(status="open")
    worker = add_person(case, name="赵六")
    act = actions.record_finding(case, actor=U("guangzhou.officer1"), kind="forged_certificate", person=worker.pk)
    other = actions.record_finding(case, actor=U("guangzhou.officer1"), kind="unlicensed_operation")
    first = fine(api, case, amount="20000.00", legal_basis="TZZY-40", finding=act.pk, violation_date=IN_ORDER_30)
    assert first.status_code == 200, first.content
    assert first.json()["penalties"][0]["warning"] is True  # 30号令 第40条: 警告 and the fine
    again = fine(api, case, amount="50000.00", legal_basis="AQSCF-97-7", finding=act.pk)
    assert again.status_code == 409 and again.json()["code"] == "same_act", again.content
    assert "第29条" in again.json()["detail"]
    # Another act of the same party is fined on its own; a fine naming no finding is one more act only once.
    assert fine(api, case, amount="50000.00", legal_basis="AQSCF-97-7", finding=other.pk).status_code == 200
    assert fine(api, case, amount="10000.00", legal_basis="AQSCF-97-7").status_code == 200
    twice = fine(api, case, amount="10000.00", legal_basis="AQSCF-97-7")
    assert twice.status_code == 409 and twice.json()["code"] == "same_act"
    # The worker's own act is the worker's: a person fine is not a second fine of the unit.
    own = fine(
        api,
        case,
        amount="2000.00",
        legal_basis="TZZY-41-1",
        person=worker.pk,
        finding=act.pk,
        violation_date=IN_ORDER_30,
    )
    assert own.status_code == 200, own.content
    assert case.penalties.filter(amount__isnull=False).count() == 4 and not case.fines.exists()  # none decided yet


def test_order_30_ends_on_2026_05_31(api):
    case = CaseFactory(status="open")
    worker = add_person(case, name="持假证工人")
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="forged_certificate", person=worker.pk)
    late = fine(api, case, amount="20000.00", legal_basis="TZZY-40", violation_date="2026-07-01")
    assert late.status_code == 400, late.content
    message = late.json()["legal_basis"][0]
    assert "2026-07-01" in message and "2026-05-31" in message
    assert fine(api, case, amount="20000.00", legal_basis="TZZY-40", violation_date="2026-05-31").status_code == 200


@pytest.mark.parametrize("kind", ["training_institution", "intermediary", "individual"])
def test_the_person_fine_of_article_97_reaches_only_the_managers_of_a_production_unit(api, kind):
    party = {"kind": kind, "name": "某机构"}
    if kind != "individual":
        party["credit_code"] = make_credit_code("440100", 600 + len(kind))
    case = CaseFactory(status="open", party=party)
    manager = person(case, "responsible", "钱经理")
    r = fine(api, case, amount="30000.00", legal_basis="AQSCF-97-7-PERSON", person=manager.pk)
    assert r.status_code == 400 and "用人单位" in r.json()["person"][0], r.content


@pytest.mark.parametrize(
    "code, kind",
    [("TZZY-41-2", "forged_certificate"), ("TZZY-40", "unlicensed_operation"), ("AQSCF-97-7", "counterfeit_website")],
)
def test_a_provision_punishes_its_own_act(api, code, kind):
    case = CaseFactory(status="open")
    worker = person(case, "holder", "孙工")
    act = actions.record_finding(case, actor=U("guangzhou.officer1"), kind=kind, person=worker.pk)
    body = {"amount": "3000.00", "legal_basis": code, "finding": act.pk, "violation_date": IN_ORDER_30}
    if code.startswith("TZZY-41"):
        body["person"] = worker.pk
    if code == "TZZY-40":
        body["amount"] = "20000.00"
    r = fine(api, case, **body)
    assert r.status_code == 400 and r.json()["legal_basis"], r.content
    assert not case.fines.exists() and not case.penalties.exists()


def test_the_fine_keeps_the_day_of_the_act_and_the_text_in_force_then(api):
    with time_machine.travel(datetime.datetime(2021, 10, 8, 10, tzinfo=datetime.UTC), tick=False):
        case = CaseFactory(status="open")
        r = fine(api, case, amount="30000.00", legal_basis="AQSCF-97-7", violation_date="2021-05-01")
        assert r.status_code == 200, r.content
        out = r.json()["penalties"][0]
        assert out["violation_date"] == "2021-05-01" and "第九十四条" in out["basis_title"]
        assert out["violation_date_stated"] is True
        assert fine(api, case, amount="0", legal_basis="AQSCF-97-7").json()["amount"] == ["罚款金额应大于零。"]


def test_an_act_found_more_than_two_years_later_is_not_penalised(api):
    """行政处罚法 第36条: two years from the act (a continuing act, from its end) to its discovery."""
    case = CaseFactory(status="open")
    opened = timezone.localdate(case.opened_at)
    old = opened.replace(year=opened.year - 2) - datetime.timedelta(days=1)
    r = fine(api, case, amount="30000.00", legal_basis="AQSCF-97-7", violation_date=old.isoformat())
    assert r.status_code == 400 and "第36条" in r.json()["violation_date"][0]
    within = old + datetime.timedelta(days=1)
    assert (
        fine(api, case, amount="30000.00", legal_basis="AQSCF-97-7", violation_date=within.isoformat()).status_code
        == 200
    )


def test_an_unstated_day_of_the_act_is_the_day_it_was_found_never_silently_today(api):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False):
        case = CaseFactory(status="open")
        act = actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="unlicensed_operation")
    r = fine(api, case, amount="30000.00", legal_basis="AQSCF-97-7", finding=act.pk)
    out = r.json()["penalties"][0]
    assert out["violation_date"] == "2026-03-02" and out["violation_date_stated"] is False
    assert out["facts"] == "无证上岗"  # from the finding, not the case's summary


def test_a_provision_that_ended_without_a_successor_is_a_warning_at_start_up():
    """LEGAL.md §3: 30号令 ends 2026-05-31; until 应急管理部令第19号's articles are entered, say so."""
    from django.core.checks import run_checks

    from cases.models import LegalBasis

    with time_machine.travel(datetime.datetime(2026, 12, 7, 10, tzinfo=datetime.UTC), tick=False):
        warned = {m.msg.split()[2] for m in run_checks(databases=["default"]) if m.id == "workflows.W003"}
        assert {"TZZY-40", "TZZY-41-1", "TZZY-41-2"} <= warned
        LegalBasis.objects.create(
            code="TZZY-40",
            title="应急管理部令第19号 相应条款",
            fined="party",
            min_amount=10_000,
            max_amount=30_000,
            valid_from=datetime.date(2026, 6, 1),
        )
        warned = {m.msg.split()[2] for m in run_checks(databases=["default"]) if m.id == "workflows.W003"}
        assert "TZZY-40" not in warned and "TZZY-41-1" in warned

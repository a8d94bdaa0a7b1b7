"""The web application through Django's test client: who sees which page, forms that answer
in Chinese, and page-load query budgets."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import actions
from cases.models import Case
from demo.sample_cases import make_credit_code
from tests.factories import CaseFactory, add_person, an_act, demo_user, failed_rectification, fine_of
from tests.workflows.helpers import referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client):
    def as_user(username):
        client.force_login(demo_user(username))
        return client

    return as_user


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    r = client.get("/cases/case/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/login/").content.decode()
    assert "衔接" in page and 'name="password"' in page


def test_login_with_the_demo_password_lands_on_the_inbox(client):
    user = demo_user("guangzhou.head")
    user.set_password("xianjie-demo")
    user.save()
    r = client.post("/accounts/login/", {"username": "guangzhou.head", "password": "xianjie-demo"}, follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert "广州市应急管理局 · 负责人" in page


@pytest.mark.parametrize(
    "username, title",
    [
        ("guangzhou.officer1", "执法人员"),
        ("guangzhou.police", "民警"),
        ("guangzhou.police_head", "公安机关负责人"),
        ("guangzhou.procurator", "检察官"),
        ("guangzhou.cyber", "网信工作人员"),
    ],
)
def test_the_header_names_the_role_as_the_agency_calls_it(web, username, title):
    page = web(username).get("/accounts/profile/").content.decode()
    who = page.split('data-testid="who">', 1)[1].split("</span>", 1)[0]
    table = page.split('<table class="xj-table">', 1)[1].split("</table>", 1)[0]
    assert f"· {title}" in who and f"· {title}" in table


@pytest.mark.parametrize(
    "username, visible",
    [
        ("guangzhou.officer1", {"tasks", "cases", "referrals", "notices"}),
        ("guangzhou.supervisor", {"tasks", "cases", "referrals", "oversight", "notices"}),
    ],
)
def test_the_menu_shows_only_what_the_role_uses(web, username, visible):
    page = web(username).get("/cases/case/").content.decode()
    for app in ("tasks", "cases", "referrals", "oversight", "notices"):
        assert (f'href="/{app}/' in page) == (app in visible), app
    assert 'href="/admin/' not in page


def test_the_oversight_app_is_closed_to_officers(web):
    assert web("guangzhou.officer1").get("/oversight/dashboard/").status_code == 403


def test_a_shenzhen_officer_gets_404_on_a_guangzhou_case(web):
    case = CaseFactory()
    assert web("shenzhen.officer1").get(f"/cases/case/{case.pk}/").status_code == 404
    assert web("shenzhen.officer1").get(f"/cases/case/{case.pk}/close/").status_code == 404


def test_the_case_form_shows_field_errors_in_chinese(web):
    client = web("guangzhou.officer1")
    r = client.post(
        "/cases/case/new/",
        {
            "source": "inspection",
            "region": "440100",
            "party_kind": "employer",
            "party_name": "某公司",
            "party_credit_code": "91440101MA59TEST7X",
            "summary": "",
        },
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "统一社会信用代码为18位" in page and "该字段是必填项" in page
    good = make_credit_code("440100", 3)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = client.post(
        "/cases/case/new/",
        {
            "source": "inspection",
            "region": "440100",
            "party_kind": "employer",
            "party_name": "某公司",
            "party_credit_code": bad,
            "summary": "检查",
        },
    )
    assert "统一社会信用代码校验码错误" in r.content.decode()
    r = client.post(
        "/cases/case/new/",
        {
            "source": "inspection",
            "region": "440100",
            "party_kind": "employer",
            "party_name": "某公司",
            "summary": "检查",
        },
    )
    assert "用人单位或培训机构须填写统一社会信用代码" in r.content.decode()
    assert Case.objects.count() == 0
    r = client.post(
        "/cases/case/new/",
        {
            "source": "inspection",
            "region": "440100",
            "party_kind": "employer",
            "party_name": "某公司",
            "party_credit_code": good,
            "summary": "检查",
        },
    )
    assert r.status_code == 302 and Case.objects.count() == 1


def test_the_fine_form_shows_the_range_in_chinese_and_changes_nothing(web):
    case = CaseFactory(status="open")
    client = web("guangzhou.head")
    r = client.post(
        f"/cases/case/{case.pk}/impose_fine/",
        {"amount": "150000", "legal_basis": "AQSCF-97-7", "version": case.version},
    )
    assert r.status_code == 400
    assert "规定的罚款幅度为 0.00 元至 100,000.00 元" in r.content.decode()
    assert case.fines.count() == 0
    r = client.post(f"/cases/case/{case.pk}/impose_fine/", {"amount": "abc", "legal_basis": "AQSCF-97-7"})
    assert "请填写合法的数字" in r.content.decode()


def test_an_action_form_runs_the_action_and_a_stale_form_is_refused(web):
    case = CaseFactory(status="open")
    an_act(case)
    failed_rectification(case)
    client = web("guangzhou.head")
    stale = Case.objects.get(pk=case.pk).version
    body = {"reason": "逾期未改正", "starts_on": timezone.localdate().isoformat(), "amount": "100000", "version": stale}
    r = client.post(f"/cases/case/{case.pk}/suspend_production/", body)
    assert r.status_code == 302
    assert case.penalties.filter(suspension=True).count() == 1
    r = client.post(f"/cases/case/{case.pk}/suspend_production/", body)
    assert r.status_code == 400 and "案件在您打开后已被修改" in r.content.decode()
    assert case.penalties.filter(suspension=True).count() == 1


def test_the_case_page_masks_id_numbers_for_non_handlers_and_shows_yuan(web):
    case = CaseFactory(status="open")
    person = add_person(case, name="周八")
    fine_of(case, amount="30000.00")
    handler = web("guangzhou.officer1").get(f"/cases/case/{case.pk}/").content.decode()
    assert person.id_number in handler and "¥30,000.00" in handler
    supervisor = web("guangzhou.supervisor").get(f"/cases/case/{case.pk}/").content.decode()
    assert person.id_number not in supervisor and person.id_masked in supervisor


def test_the_case_page_says_whom_a_fine_is_on_for_which_act_and_its_warning(web):
    case = CaseFactory(status="open")
    worker = add_person(case, name="吴九")
    act = actions.record_finding(
        case, actor=demo_user("guangzhou.officer1"), kind="forged_certificate", person=worker.pk
    )
    fine_of(
        case,
        amount="2000.00",
        basis="TZZY-41-1",
        person=worker.pk,
        finding=act.pk,
        violation_date=datetime.date(2026, 5, 1),
    )
    page = web("guangzhou.officer1").get(f"/cases/case/{case.pk}/").content.decode()
    cell = page.split('data-testid="fine-amount">', 1)[1].split("</td>", 1)[0]
    assert "警告并处" in cell and "¥2,000.00" in cell
    assert "吴九" in cell and "持/使用伪造的操作证" in cell and "2026-05-01" in cell
    assert "第四十一条" in cell
    assert "今日应缴" not in cell  # nothing is payable before the decision is served (第67条)


def test_the_police_see_their_referral_with_a_countdown_and_the_chart(web):
    case, person = referable_case()
    r = referrals.propose_referral(case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送")
    r = referrals.approve(r, actor=demo_user("guangzhou.head"))
    from tests.workflows.helpers import DOCS

    r = referrals.transmit(r, actor=demo_user("guangzhou.officer1"), documents=DOCS)
    page = web("guangzhou.police").get(f"/referrals/referral/{r.pk}/").content.decode()
    assert 'data-due="' in page and 'data-testid="steps"' in page and 'data-action="acknowledge"' in page
    assert 'data-step="receipt" data-state="current" aria-current="step"' in page  # the police sign now
    listing = web("guangzhou.police").get("/referrals/referral/").content.decode()
    assert r.number in listing


def test_the_supervisor_dashboard_lists_missed_deadlines_and_unreferred_findings(web):
    import time_machine

    from workflows.models import Deadline

    case, person = referable_case()
    due = Deadline.objects.get(case=case, step="propose_referral").due_at
    with time_machine.travel(due + datetime.timedelta(hours=1)):
        from workflows.sweep import sweep

        sweep()
        page = web("guangzhou.supervisor").get("/oversight/dashboard/").content.decode()
    assert case.number in page and person.name in page
    assert "广州市" in page
    assert case.number not in web("shenzhen.supervisor").get("/oversight/dashboard/").content.decode()


def count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_budgets(web):
    client = web("guangzhou.head")
    case, person = referable_case()
    referrals.propose_referral(case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送")
    small = (count(client, "/cases/case/"), count(client, f"/cases/case/{case.pk}/"), count(client, "/tasks/mine/"))
    for i in range(8):
        other, p = referable_case(name=f"人员{i}")
        add_person(other, name=f"另一人{i}")
        referrals.propose_referral(other, actor=demo_user("guangzhou.officer1"), persons=[p.pk], report="移送")
    big = (count(client, "/cases/case/"), count(client, f"/cases/case/{other.pk}/"), count(client, "/tasks/mine/"))
    assert big == small
    # The case page: +2 for the deadlines running and the pending corrections, +6 for its links, the
    # links suggested (倒查) and which of their cases the user may open.
    assert big[0] <= 12 and big[1] <= 38 and big[2] <= 12


def test_english_is_selectable(web):
    client = web("guangzhou.officer1")
    assert "我的待办" in client.get("/tasks/mine/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/tasks/mine/"})
    page = client.get("/tasks/mine/").content.decode()
    assert "My tasks" in page and "我的待办" not in page


def test_every_field_of_every_action_form_has_a_label():
    """The web forms are built from the API's inputs: a field without a label would show its code
    (`case_number *`) on a Chinese page."""
    from cases.referral_rules import REFERRAL_ACTIONS
    from cases.rules import CASE_ACTIONS, TAKEDOWN_ACTIONS
    from core.webforms import LABELS, build_fields

    rules = [*CASE_ACTIONS.values(), *REFERRAL_ACTIONS.values(), *TAKEDOWN_ACTIONS.values()]
    unlabelled = sorted({f.name for rule in rules for f in build_fields(rule.input_class) if f.name not in LABELS})
    assert unlabelled == []


def test_a_required_choice_starts_unchosen_and_an_empty_finding_form_is_refused(web):
    """An empty form must not save the first choice of a required list (a referable finding that
    starts a deadline); a choice that may stay empty shows one blank, not two."""
    case, _person = referable_case()
    client = web("guangzhou.officer1")
    page = client.get(f"/cases/case/{case.pk}/record_finding/").content.decode()
    kind = page[page.index('<select id="id_kind"') : page.index("</select>", page.index('<select id="id_kind"'))]
    assert kind.count('value=""') == 1 and 'value="" selected' in kind
    person = page[page.index('<select id="id_person"') : page.index("</select>", page.index('<select id="id_person"'))]
    assert person.count('value=""') == 1
    before = case.findings.count()
    r = client.post(f"/cases/case/{case.pk}/record_finding/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400 and case.findings.count() == before
    assert 'data-testid="error-kind"' in r.content.decode()


def test_a_step_ended_by_a_request_for_materials_is_named_by_it_not_as_decided():
    from cases.titles import EVENT_TITLES
    from tests.workflows.helpers import DOCS
    from workflows.flows import ReferralFlow
    from workflows.views import referral_steps

    case, person = referable_case()
    referral = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送"
    )
    referral = referrals.approve(referral, actor=demo_user("guangzhou.head"))
    referral = referrals.transmit(referral, actor=demo_user("guangzhou.officer1"), documents=DOCS)
    referral = referrals.acknowledge(referral, actor=demo_user("guangzhou.police"))
    referrals.request_supplement(referral, actor=demo_user("guangzhou.police_head"), items="鉴定意见")
    done = [str(step["title"]) for step in referral_steps(referral) if step["state"] == "done"]
    assert str(EVENT_TITLES["request_supplement"]) in done, done
    assert str(ReferralFlow.police_decision.task_title) not in done, done

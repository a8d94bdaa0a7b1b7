"""登记线索 from a roster's row (issue 18): one lead a row however often it is asked for, the row
linked to its lead, and the lead's text in the offices' words."""

import threading

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction

from cases.models import Case
from certificates import actions
from certificates.models import RosterCheck, RosterLead
from tests.factories import demo_user

pytestmark = pytest.mark.django_db

RESULTS = [
    {"number": "T440106198001020011", "name": "张伟", "status": "valid"},
    {"number": "FAKE-1", "name": "赵六", "status": "no_match"},
    {"number": "FAKE-2", "name": "钱七", "status": "no_match"},
]


@pytest.fixture(autouse=True)
def _fresh_quotas():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roster():
    return RosterCheck.objects.create(
        user=demo_user("guangzhou.officer1"), filename="名单.csv", employer="某建筑公司", results=RESULTS
    )


@pytest.fixture
def officer(client):
    client.force_login(demo_user("guangzhou.officer1"))
    return client


def leads() -> int:
    return Case.objects.filter(source="verification").count()


def test_a_second_click_on_a_row_finds_its_lead_and_makes_no_other(officer, roster):
    first = officer.post(f"/certificates/roster/{roster.pk}/lead/1/")
    assert first.status_code == 302 and leads() == 1
    case = Case.objects.get(source="verification")
    assert first["Location"] == f"/cases/case/{case.pk}/"
    assert RosterLead.objects.get(roster=roster, row=1).case == case

    again = officer.post(f"/certificates/roster/{roster.pk}/lead/1/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 302 and again["Location"] == f"/cases/case/{case.pk}/"
    assert leads() == 1 and RosterLead.objects.count() == 1
    page = officer.get(again["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"This row opened lead {case.number} before" in page

    # Another row is another lead.
    assert officer.post(f"/certificates/roster/{roster.pk}/lead/2/").status_code == 302
    assert leads() == 2 and sorted(RosterLead.objects.values_list("row", flat=True)) == [1, 2]


def test_the_row_links_to_the_lead_it_opened_and_the_others_keep_their_button(officer, roster):
    officer.post(f"/certificates/roster/{roster.pk}/lead/1/")
    case = Case.objects.get(source="verification")
    page = officer.get(f"/certificates/roster/{roster.pk}/").content.decode()
    row1 = page.split('data-row="1"')[1].split("</tr>")[0]
    row2 = page.split('data-row="2"')[1].split("</tr>")[0]
    assert f'href="/cases/case/{case.pk}/"' in row1 and case.number in row1 and "/lead/1/" not in row1
    assert f"/certificates/roster/{roster.pk}/lead/2/" in row2 and 'data-testid="row-lead"' not in row2


def test_a_lost_race_is_rolled_back_and_answered_with_the_winners_lead(roster, monkeypatch):
    """Two POSTs at once: both looked before either wrote. The unique (roster, row) refuses the
    second's link, its whole lead (case, proposal, verification batch) is rolled back, and it is
    answered with the first's lead."""
    officer = demo_user("guangzhou.officer1")
    winner = actions.lead_from_roster_row(roster, 1, actor=officer)
    looks = []
    real = actions.row_lead

    def blind_first_look(saved, row):
        looks.append(row)
        return None if len(looks) == 1 else real(saved, row)  # the first look comes before the winner wrote

    monkeypatch.setattr(actions, "row_lead", blind_first_look)
    before = (Case.objects.count(), RosterLead.objects.count())
    with pytest.raises(actions.LeadExists) as lost:
        actions.lead_from_roster_row(roster, 1, actor=officer)
    assert lost.value.lead.case == winner and len(looks) == 2
    assert (Case.objects.count(), RosterLead.objects.count()) == before


def test_the_database_refuses_a_second_lead_for_a_row(roster):
    officer = demo_user("guangzhou.officer1")
    case = actions.lead_from_roster_row(roster, 1, actor=officer)
    other = actions.lead_from_verification(actor=officer, region=None, number="FAKE-9", name="孙八", status="no_match")
    with pytest.raises(IntegrityError), transaction.atomic():
        RosterLead.objects.create(roster=roster, row=1, case=other)
    assert RosterLead.objects.get(roster=roster, row=1).case == case


def test_a_valid_row_opens_no_lead_and_leaves_no_link(officer, roster):
    r = officer.post(f"/certificates/roster/{roster.pk}/lead/0/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302 and r["Location"] == f"/certificates/roster/{roster.pk}/"
    assert leads() == 0 and RosterLead.objects.count() == 0
    assert officer.post(f"/certificates/roster/{roster.pk}/lead/9/").status_code == 404
    assert officer.get(f"/certificates/roster/{roster.pk}/lead/1/").status_code == 404
    assert leads() == 0


def test_another_officer_cannot_open_a_lead_from_someone_elses_roster(client, roster):
    client.force_login(demo_user("guangzhou.officer2"))
    assert client.post(f"/certificates/roster/{roster.pk}/lead/1/").status_code == 404
    assert leads() == 0


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_leads_summary_says_the_registrys_answer_in_the_offices_words(officer, roster, language):
    officer.post(f"/certificates/roster/{roster.pk}/lead/1/", HTTP_ACCEPT_LANGUAGE=language)
    case = Case.objects.get(source="verification")
    # Whatever the clicking officer's language: stored text in the offices' language (zh-hans).
    assert case.summary == "赵六 的证书 FAKE-1 核验结果：无此编号与姓名相符的证书。", case.summary
    assert case.party_name == "某建筑公司"
    for code in ("not_found", "no_match", "name_mismatch", "verification says"):
        assert code not in case.summary
    # The proposal keeps the registry's full answer in the case's context as a code for the
    # finding, and has its words for the page.
    assert case.lead_proposal.verification == "not_found"
    assert case.lead_proposal.get_verification_display() in ("not found in the registry", "查无此证")


def test_a_lead_without_an_employer_names_the_employer_in_the_offices_words():
    case = actions.lead_from_verification(
        actor=demo_user("guangzhou.officer1"), region=None, number="FAKE-3", name="李四", status="no_match"
    )
    assert case.party_name == "李四 所在单位" and "无此编号与姓名相符的证书" in case.summary


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_on_postgresql_make_one_lead():
    """Two requests for one row in two threads, released together: one lead, and both answered
    with it."""
    from django.core.management import call_command
    from django.db import connections

    call_command("seed_demo", verbosity=0)
    officer = demo_user("guangzhou.officer1")
    roster = RosterCheck.objects.create(user=officer, filename="名单.csv", employer="某建筑公司", results=RESULTS)
    barrier, results = threading.Barrier(2), [None, None]

    def click(i):
        try:
            barrier.wait()
            results[i] = actions.lead_from_roster_row(RosterCheck.objects.get(pk=roster.pk), 1, actor=officer)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is measured
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    made = [r for r in results if isinstance(r, Case)]
    found = [r for r in results if isinstance(r, actions.LeadExists)]
    assert len(made) == 1 and len(found) == 1, results
    assert found[0].lead.case_id == made[0].pk
    assert leads() == 1 and RosterLead.objects.get(roster=roster, row=1).case_id == made[0].pk

"""The monthly form's roll-up (oversight/tallies.py) always says what the cases say: over a random
history of real actions across the months of a campaign, read between the actions, the form of the
province and of each city — 本月 and 累计 of every cell — equals the one counted directly from the
cases (form.compute_direct); the roll-up can be counted again from scratch, follows a campaign's
new dates, and costs an action one INSERT only when it changes what the form counts."""

import contextlib
import datetime
import random
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Region
from cases import actions, corrections
from cases.models import Campaign, Case, LegalBasis
from core.calendar import LEGAL_TZ
from core.errors import Conflict
from demo.sample_cases import make_credit_code
from oversight import form, periods, reports, tallies
from oversight.models import FormChange, FormState, FormTally
from tests.factories import CaseFactory, add_person, demo_user, fine_of, suspension_of
from tests.workflows.helpers import DOCS
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
U = demo_user
CITIES = ("guangzhou", "shenzhen")
PARTIES = ("employer", "employer", "training_institution", "intermediary", "website")


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def normal(result: dict) -> dict:
    """A compute() answer without its empty cells, money as Decimal: the two ways agree on these."""
    return {
        city: cells
        for city, values in result.items()
        if (cells := {k: (Decimal(m), Decimal(c)) for k, (m, c) in values.items() if m or c})
    }


def assert_same(campaign: Campaign, months=None) -> None:
    """Province and every city, every month asked: the roll-up's cells are the direct ones."""
    for month in months or periods.report_months(campaign):
        for code in ("440000", "440100", "440300"):
            path = Region.objects.get(code=code).path
            direct = form.compute_direct(path, month, campaign)
            assert normal(form.compute(path, month, campaign)) == normal(direct), (code, month)
        region = Region.objects.get(code="440000")
        rows = reports.live_rows(region, month, campaign)
        direct_rows = {}
        for values in form.compute_direct(region.path, month, campaign).values():
            direct_rows = form.add(direct_rows, values)
        assert rows == form.assemble(direct_rows, reports._self_inspection(region, month, campaign))


@pytest.fixture
def campaign():
    for code, kind in (("TEST-TRAINING", "training_institution"), ("TEST-INTERMEDIARY", "intermediary")):
        LegalBasis.objects.create(
            code=code, title=code, fined="party", min_amount=1, max_amount=50_000, applies_to=[kind]
        )
    return Campaign.objects.create(
        slug="rollup",
        title="汇总",
        starts_on=datetime.date(2019, 2, 10),
        ends_on=datetime.date(2019, 6, 30),
        cutoff_day=25,
        first_report_month=datetime.date(2019, 3, 1),
    )


class History:
    """Real actions, each at a moment of its own, chosen by a seeded random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.cases: list[tuple[Case, str]] = []
        self.persons: dict[int, list] = {}
        self.findings: list = []

    def moment(self) -> datetime.datetime:
        day = datetime.date(2019, 2, 1) + datetime.timedelta(days=self.rng.randrange(160))
        if self.rng.random() < 0.3:  # the edges of a reporting month, local time
            day = day.replace(day=self.rng.choice((25, 26)))
            time = datetime.time(23, 59) if day.day == 25 else datetime.time(0, 1)
        else:
            time = datetime.time(self.rng.randrange(8, 19), self.rng.randrange(60))
        return datetime.datetime.combine(day, time, tzinfo=LEGAL_TZ)

    def new_case(self) -> None:
        city, kind = self.rng.choice(CITIES), self.rng.choice(PARTIES)
        n = self.rng.randrange(10_000, 99_999)
        party = {
            "kind": kind,
            "name": f"某单位{n}",
            "credit_code": make_credit_code("440100" if city == "guangzhou" else "440300", n),
        }
        if kind == "website":
            party = {"kind": kind, "name": f"假冒网站{n}", "url": f"http://fake{n}.example/"}
        self.cases.append((CaseFactory(city=city, status="open", party=party), city))

    def pick(self, kinds=None) -> tuple[Case, str] | None:
        choices = [(c, city) for c, city in self.cases if kinds is None or c.party_kind in kinds]
        return self.rng.choice(choices) if choices else None

    def fake(self) -> None:
        if not (chosen := self.pick(("employer", "training_institution", "intermediary"))):
            return
        case, city = chosen
        persons = self.persons.setdefault(case.pk, [])
        if not persons or self.rng.random() < 0.5:
            persons.append(add_person(case, actor=f"{city}.officer1", name="张某"))
        kind = self.rng.choice(("forged_certificate", "altered_certificate", "unlicensed_operation"))
        finding = actions.record_finding(
            case, actor=U(f"{city}.officer1"), kind=kind, person=self.rng.choice(persons).pk
        )
        self.findings.append((finding, city))

    def website(self) -> None:
        if not (chosen := self.pick(("website",))):
            return
        case, city = chosen
        actions.record_finding(case, actor=U(f"{city}.officer1"), kind="counterfeit_website")
        if city == "guangzhou" and self.rng.random() < 0.6:
            t = actions.request_takedown(
                case, actor=U("guangzhou.officer1"), url=case.party_url, agency="guangzhou-cyber"
            )
            actions.block_takedown(t, actor=U("guangzhou.cyber"))

    def rectify(self) -> None:
        if chosen := self.pick(("employer", "training_institution", "intermediary")):
            case, city = chosen
            actions.order_rectification(
                case,
                actor=U(f"{city}.officer1"),
                deadline=actions.local_today() + datetime.timedelta(days=10),
                items="整改",
            )

    def fine(self) -> None:
        if not (chosen := self.pick(("employer", "training_institution", "intermediary"))):
            return
        case, city = chosen
        basis = {"employer": "AQSCF-97-7", "training_institution": "TEST-TRAINING", "intermediary": "TEST-INTERMEDIARY"}
        if case.penalties.exists():
            return
        fine_of(case, amount=str(self.rng.randrange(1, 30) * 1000), basis=basis[case.party_kind], actor=f"{city}.head")

    def suspend(self) -> None:
        if (chosen := self.pick(("employer",))) and not chosen[0].penalties.exists():
            suspension_of(chosen[0], actor=f"{chosen[1]}.head")

    def refer(self) -> None:
        fakes = [
            (f, city) for f, city in self.findings if f.referable and f.person_id and f.kind != "unlicensed_operation"
        ]
        if not fakes:
            return
        finding, city = self.rng.choice(fakes)
        case = Case.objects.get(pk=finding.case_id)
        if case.referrals.filter(persons=finding.person_id).exists():
            return
        r = referrals.propose_referral(case, actor=U(f"{city}.officer1"), persons=[finding.person_id], report="移送")
        r = referrals.approve(r, actor=U(f"{city}.head"))
        referrals.transmit(r, actor=U(f"{city}.officer1"), documents=DOCS)

    def correct(self) -> None:
        """A finding's kind put right by the head, applied at once, dated by the finding."""
        plain = [(f, city) for f, city in self.findings if f.kind == "unlicensed_operation"]
        if plain:
            finding, city = self.rng.choice(plain)
            corrections.correct(
                Case.objects.get(pk=finding.case_id),
                actor=U(f"{city}.head"),
                target="finding",
                field="kind",
                value="forged_certificate",
                reason="笔误",
                id=finding.pk,
            )
            finding.kind = "forged_certificate"

    def step(self) -> None:
        name = self.rng.choices(
            ("new_case", "fake", "website", "rectify", "fine", "suspend", "refer", "correct"),
            weights=(4, 6, 2, 3, 3, 1, 2, 1),
        )[0]
        # Refused as the application refuses it (e.g. 一事不再罚): nothing of that action was written.
        with contextlib.suppress(Conflict, ValidationError, PermissionDenied):
            getattr(self, name)()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_roll_up_always_equals_the_direct_count(campaign, seed):
    rng = random.Random(seed)  # noqa: S311 - a test's history
    history = History(rng)
    months = periods.report_months(campaign)
    with at(datetime.datetime(2019, 2, 1, 9, tzinfo=LEGAL_TZ)):
        assert_same(campaign, months[:1])  # tallied from nothing
    for i in range(60):
        moment = history.moment()
        with at(moment):
            if history.cases:
                history.step()
            else:
                history.new_case()
        if i % 9 == 8:  # read between the actions: the marks taken so far, then more come
            assert_same(campaign, [rng.choice(months)])
    assert_same(campaign)
    assert not FormChange.objects.exists()
    # The history had every kind of row in it.
    keys = {key.split(":")[0] for key in FormTally.objects.filter(campaign=campaign).values_list("key", flat=True)}
    assert {"fake", "rectify", "intermediary_opened"} <= keys


def test_a_known_history_reads_the_same_both_ways_and_a_cut_off_minute_counts_once(campaign):
    def tz(*args):
        return datetime.datetime(*args, tzinfo=LEGAL_TZ)

    with at(tz(2019, 3, 25, 23, 59)):  # the last minute of March's reporting month
        a = CaseFactory(status="open")
        p = add_person(a, name="甲")
        actions.record_finding(a, actor=U("guangzhou.officer1"), kind="forged_certificate", person=p.pk)
    with at(tz(2019, 3, 26, 0, 1)):  # April's first
        actions.record_finding(a, actor=U("guangzhou.officer1"), kind="altered_certificate", person=p.pk)
        fine_of(a, amount="20000")
    march, april = datetime.date(2019, 3, 1), datetime.date(2019, 4, 1)
    path = Region.objects.get(code="440100").path
    city = form.compute(path, march, campaign)["440100"]
    assert city["fake:employer"] == (1, 1)
    city = form.compute(path, april, campaign)["440100"]
    assert city["fake:employer"] == (1, 1)  # the same person: one person in April, one since the start
    assert city["fine:employer"] == (Decimal("20000.00"), Decimal("20000.00"))
    assert_same(campaign, [march, april])


def test_rebuilding_counts_the_same_and_new_dates_count_again(campaign):
    moment = datetime.datetime(2019, 4, 2, 10, tzinfo=LEGAL_TZ)
    with at(moment):
        a = CaseFactory(status="open")
        actions.record_finding(a, actor=U("guangzhou.officer1"), kind="forged_certificate", person=add_person(a).pk)
        actions.order_rectification(
            a, actor=U("guangzhou.officer1"), deadline=actions.local_today() + datetime.timedelta(days=9), items="整改"
        )
    april = datetime.date(2019, 4, 1)
    assert_same(campaign)
    before = sorted(FormTally.objects.values_list("month", "city", "key", "value", "new"))
    FormTally.objects.all().delete()
    FormTally.objects.create(campaign=campaign, month=april, city="440100", key="fake:employer", value=9, new=9)
    call_command("rebuild_form_tallies")
    assert sorted(FormTally.objects.values_list("month", "city", "key", "value", "new")) == before
    # New dates (an earlier start, a later cut-off): the campaign is counted again on its next read.
    Campaign.objects.filter(pk=campaign.pk).update(starts_on=datetime.date(2019, 1, 1), cutoff_day=28)
    campaign.refresh_from_db()
    assert_same(campaign)
    assert FormState.objects.get(campaign=campaign).signature == tallies.signature(campaign)


def test_an_action_marks_once_and_only_what_the_form_counts(campaign):
    with at(datetime.datetime(2019, 4, 2, 10, tzinfo=LEGAL_TZ)):
        a = CaseFactory(status="open")
        person = add_person(a)
        assert not FormChange.objects.exists()  # creating, opening an employer's case, adding a person
        with CaptureQueriesContext(connection) as ctx:
            actions.record_finding(a, actor=U("guangzhou.officer1"), kind="forged_certificate", person=person.pk)
        inserts = [q["sql"] for q in ctx.captured_queries if "oversight_formchange" in q["sql"]]
        assert len(inserts) == 1 and inserts[0].startswith("INSERT")
        assert list(FormChange.objects.values_list("region", "fact")) == [("440100", "")]
        # The same action without the hook: exactly that one query less.
        from cases import events

        events.OBSERVERS.remove(tallies.note_changes)
        try:
            with CaptureQueriesContext(connection) as bare:
                actions.record_finding(a, actor=U("guangzhou.officer1"), kind="forged_certificate", person=person.pk)
        finally:
            events.OBSERVERS.append(tallies.note_changes)
        assert len(ctx.captured_queries) - len(bare.captured_queries) == 1
        # An intermediary's case marks when it opens (查处违法中介 counts it).
        CaseFactory(status="open", party={"kind": "intermediary", "name": "某中介"})
        assert FormChange.objects.count() == 2


def test_the_form_reads_the_same_rows_at_any_history(api, campaign):
    """The roll-up's read costs the same queries however many cases came before."""
    client = api("gd.supervisor")

    def count():
        client.get("/api/v1/reports/monthly/", {"region": "440000", "month": "2019-04", "campaign": "rollup"})
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/api/v1/reports/monthly/", {"region": "440000", "month": "2019-04", "campaign": "rollup"})
        assert r.status_code == 200, r.content
        return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]

    few, _ = count()
    with at(datetime.datetime(2019, 4, 2, 10, tzinfo=LEGAL_TZ)):
        for _ in range(4):
            a = CaseFactory(status="open")
            actions.record_finding(a, actor=U("guangzhou.officer1"), kind="forged_certificate", person=add_person(a).pk)
    many, sql = count()
    assert many == few
    assert not any("cases_finding" in q for q in sql)  # no case table is read once the marks are taken


def test_generate_load_leaves_the_roll_up_counted():
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        slug="bench-like",
        title="基准",
        starts_on=today - datetime.timedelta(days=1000),
        ends_on=today + datetime.timedelta(days=30),
    )
    call_command("generate_load", cases=150, referral_share=0.05)
    # Counted at the load's end: nothing left to refresh when the form is read.
    assert FormState.objects.get(campaign=campaign).signature == tallies.signature(campaign)
    assert not FormChange.objects.exists()
    assert FormTally.objects.filter(campaign=campaign).exists()
    for month in periods.report_months(campaign)[-4:]:
        path = Region.objects.get(code="440000").path
        assert normal(form.compute(path, month, campaign)) == normal(form.compute_direct(path, month, campaign))

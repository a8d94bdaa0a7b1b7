"""The 2018 campaign as it ran (seed_demo --campaign-2018): cases across fourteen cities and the
campaign's months, each step the action it is, taken on its own day (the clock travels back to it),
so every oversight page, chart, risk list and monthly form of the demo shows real figures.

Per city, by its place in the list: an employer whose worker held a forged certificate — ordered to
rectify, fined under 30号令 第40条 in September, the worker referred to the police (accepted, or
left undecided past the police's 3 days, or its proposal left with the head) — a second employer
whose rectification is past its re-inspection, and in some cities a certificate seller found and
fined but never referred (以罚代刑), a refusal awaiting the supervisors, a counterfeit website found
by the cyberspace office and blocked, a training institution ordered to rectify, a listing. A Foshan
intermediary sold the certificates of workers in Guangzhou, Shenzhen and Huizhou: the province's
supervisor links the cases (倒查). The cities submit their returns: the work plan, August on time,
September on time, late, returned and resubmitted, or missing; October by some. The deadline sweep
runs on the campaign's days, so missed deadlines are escalated when they were missed.
"""

import datetime
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test.utils import override_settings

from agencies.models import Region
from cases import actions, links
from cases.models import Campaign, Case, Finding, Person
from core.calendar import LEGAL_TZ
from oversight import actions as oversight_actions
from oversight import reports
from oversight.models import CampaignReturn, MonthlySubmission

from . import penalties
from .data import CITIES
from .reach import reach
from .sample_cases import SURNAMES, make_credit_code, make_id_number

MARK = "【2018专项】"
CITY_COUNT = 14
SELLER = "佛山市顺达证书咨询服务部"
SELLER_BUYERS = ("guangzhou", "shenzhen", "huizhou")
GIVEN = "伟强磊军洋勇杰涛明超华平刚志"
WORK = "本月组织检查用人单位{n}家，查验特种作业操作证{m}本，发现问题已依法处理，并开展宣传和约谈。"


@contextmanager
def on(day: str, hour: int = 10, minute: int = 0) -> Iterator[None]:
    """Act on that day of the campaign (local time)."""
    when = datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=LEGAL_TZ)
    with time_machine.travel(when, tick=False):
        yield


def sweep() -> None:
    call_command("sweep_deadlines", stdout=io.StringIO())


class City:
    def __init__(self, index: int, code: str, name: str, slug: str):
        self.index, self.code, self.name, self.slug = index, code, name, slug
        self.region = Region.objects.get(code=code)
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith=f"{slug}.")}
        self.user: Callable[[str], User] = lambda role: users[f"{slug}.{role}"]
        self.seq = 9000 + index * 20

    def next(self) -> int:
        self.seq += 1
        return self.seq

    def person_name(self) -> str:
        n = self.next()
        return SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[(n // 3) % len(GIVEN)]

    def case(self, party: dict, summary: str, source: str = "inspection", owner: str = "officer1") -> Case:
        return actions.create_case(
            actor=self.user(owner), source=source, region=self.region, party=party, summary=MARK + summary
        )

    def employer(self, what: str) -> dict:
        n = self.next()
        return {
            "kind": "employer",
            "name": f"{self.name[:-1]}{'东南西北中新'[n % 6]}{'华达盛兴安'[n % 5]}{what}有限公司",
            "credit_code": make_credit_code(self.code, n),
            "address": f"{self.name}{'东南西北'[n % 4]}区工业大道{n % 90 + 1}号",
            "representative": self.person_name(),
        }

    def open(self, case: Case, first: str = "officer1", second: str = "officer2") -> None:
        actions.open_case(
            case, actor=self.user(first), handlers=[self.user(first).username, self.user(second).username]
        )

    def person(self, case: Case, role: str = "holder", actor: str = "officer1") -> Person:
        n = self.next()
        birth = datetime.date(1970 + n % 25, 1 + n % 12, 1 + n % 28)
        return actions.add_person(
            case,
            actor=self.user(actor),
            name=self.person_name(),
            id_number=make_id_number(self.code, birth, n),
            role=role,
        )


def build(progress: Callable[[str], None] | None = None) -> int:
    """The campaign's cases and returns; nothing when they are there already (idempotent)."""
    if Case.objects.filter(summary__startswith=MARK).exists():
        return 0
    # What happened in 2018 tells nobody by e-mail now; the notifications stay in the app.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return _build(progress)


def _build(progress: Callable[[str], None] | None) -> int:
    Campaign.objects.get(slug="gd-2018-cert")  # loaded by seed_demo
    cities = [City(i, code, name, slug) for i, (code, name, slug) in enumerate(CITIES[:CITY_COUNT])]
    seller = _seller_case()
    with on("2018-07-30"):
        for city in cities[:12]:
            _return(city, "plan")
    with on("2018-08-02"):
        for city in cities[12:]:
            _return(city, "plan")  # late
    holders: dict[str, Case] = {}
    for city in cities:
        holders[city.slug] = _forged_certificate_case(city, seller)
        _unlicensed_case(city)
        if city.index % 3 == 0:
            _website(city)
        if city.index % 4 == 1:
            _training_institution(city)
        if city.index % 6 == 5:
            _seller_fined_not_referred(city)
        if progress:
            progress(f"  2018 campaign: {city.name}")
    # The returns and the sweep in the order of the campaign's days: each month submitted before
    # the sweep after its due day escalates what is missing.
    _august(cities)
    for day in ("2018-08-26", "2018-09-14", "2018-09-19"):
        with on(day, 0, 30):
            sweep()
    _september(cities)
    with on("2018-09-26", 0, 30):
        sweep()
    with on("2018-10-10"):
        supervisor = get_user_model().objects.get(username="gd.supervisor")
        for slug in SELLER_BUYERS:
            links.link_case(
                holders[slug],
                actor=supervisor,
                case_number=seller.number,
                relation="supplied",
                note="持证人供述：操作证系通过该服务部购买",
            )
    with on("2018-10-12", 0, 30):
        sweep()
    _october(cities)
    for day in ("2018-10-26", "2018-11-26"):
        with on(day, 0, 30):
            sweep()
    return Case.objects.filter(summary__startswith=MARK).count()


def _seller_case() -> Case:
    """The Foshan intermediary that sold the certificates (a market regulator's case)."""
    foshan = City(20, "440600", "佛山市", "foshan")
    with on("2018-08-08"):
        case = foshan.case(
            {"kind": "intermediary", "name": SELLER, "address": "佛山市禅城区某商务楼3楼"},
            "网络兜售特种作业操作证，经查系违法中介",
            source="cyber_patrol",
            owner="market",
        )
        foshan.open(case, "market", "market_head")
        dealer = foshan.person(case, role="seller", actor="market")
        for slug in SELLER_BUYERS:
            actions.record_finding(
                case,
                actor=foshan.user("market"),
                kind="certificate_trading",
                person=dealer.pk,
                certificate_number=_certificate(slug),
                note="向外地用人单位人员兜售伪造的特种作业操作证",
            )
    with on("2018-08-10"):
        reach(
            case, "accepted", persons=[dealer.pk], report="违法中介伪造、买卖特种作业操作证，涉嫌伪造国家机关证件罪。"
        )
    return case


def _certificate(slug: str) -> str:
    code = next(code for code, _name, s in CITIES if s == slug)
    return "T" + make_id_number(code, datetime.date(1986, 6, 18), 500 + SELLER_BUYERS.index(slug))


def _forged_certificate_case(city: City, seller: Case) -> Case:
    """The campaign's typical case: a worker with a forged certificate at an employer."""
    day = 6 + city.index % 8
    with on(f"2018-08-{day:02d}"):
        case = city.case(city.employer("建筑工程"), "专项检查发现特种作业人员持伪造操作证上岗")
        city.open(case)
        worker = city.person(case)
        bought = city.slug in SELLER_BUYERS
        actions.record_finding(
            case,
            actor=city.user("officer1"),
            kind="forged_certificate",
            person=worker.pk,
            certificate_number=_certificate(city.slug) if bought else f"T{worker.id_number}",
            source=SELLER if bought else "",
            note="现场查验，全国特种作业操作证查询平台无此证",
        )
        actions.order_rectification(
            case,
            actor=city.user("officer2"),
            deadline=datetime.date(2018, 8, 31),
            items="立即停止持假证人员作业，组织特种作业人员培训取证",
        )
    with on(f"2018-09-{3 + city.index % 5:02d}"):
        amount = Decimal(10000 + 1000 * (city.index % 15))
        penalties.fine(
            case,
            head=city.user("head"),
            handler=city.user("officer1"),
            amount=amount,
            legal_basis="TZZY-40",
            served=True,
            finding=_finding(case, "forged_certificate"),
        )
    stage = city.index % 5
    with on(f"2018-09-{10 + city.index % 3:02d}"):
        if stage == 1:  # the head never decides on the proposal: escalated after 3 days
            reach(case, "proposed")
            return case
        if stage == 4 and city.index == 4:  # the head refuses: the supervisors are to review it
            reach(case, "refused")
            return case
        referral = reach(case, "received")
    with on(f"2018-09-{13 + city.index % 3:02d}"):
        if stage == 2:  # the police let their 3 days pass
            return case
        reach(referral, "accepted")
    if stage == 3:
        with on("2018-09-20"):
            oversight_actions.list_case(
                case,
                actor=city.user("supervisor"),
                deadline=datetime.date(2018, 10, 31),
                instructions="倒查假证来源，按期报告查处结果",
            )
    return case


def _finding(case: Case, kind: str) -> int:
    found: Finding = case.findings.filter(kind=kind).order_by("pk").first()  # type: ignore[assignment]
    return found.pk


def _unlicensed_case(city: City) -> None:
    """An employer with an unlicensed worker: rectification, and in some cities no re-inspection."""
    with on(f"2018-09-{4 + city.index % 6:02d}", 15):
        case = city.case(city.employer("电气安装"), "专项检查发现电工无证上岗")
        city.open(case)
        worker = city.person(case, role="other")
        actions.record_finding(case, actor=city.user("officer2"), kind="unlicensed_operation", person=worker.pk)
        order = actions.order_rectification(
            case, actor=city.user("officer2"), deadline=datetime.date(2018, 9, 12), items="无证人员立即停止作业"
        )
    if city.index % 4 == 3:  # nobody re-inspects: past its re-inspection date
        return
    with on("2018-09-14"):
        actions.verify_rectification(case, actor=city.user("officer1"), order=order.pk, passed=True, note="复查合格")
    with on("2018-09-17"):
        penalties.fine(case, head=city.user("head"), handler=city.user("officer1"), amount=Decimal("8000"), served=True)


def _website(city: City) -> None:
    """A counterfeit website found by the cyberspace office, handed on, and blocked."""
    url = f"http://{city.slug}-safety-cert.example/"
    with on("2018-08-20"):
        case = actions.report_find(
            actor=city.user("cyber"),
            region=city.region,
            party={"kind": "website", "name": f"假冒{city.name}安监局证书查询网", "url": url},
            summary=MARK + "网络巡查发现假冒政府网站兜售特种作业操作证",
            finding_kind="counterfeit_website",
        )
    with on("2018-08-27"):
        city.open(case)
        actions.record_finding(
            case, actor=city.user("officer1"), kind="counterfeit_website", note="冒用应急管理部门名义"
        )
        takedown = actions.request_takedown(case, actor=city.user("officer1"), url=url, agency=f"{city.slug}-cyber")
    with on("2018-08-29"):
        actions.block_takedown(takedown, actor=city.user("cyber"), note="已关闭网站")


def _training_institution(city: City) -> None:
    with on("2018-09-18"):
        n = city.next()
        case = city.case(
            {
                "kind": "training_institution",
                "name": f"{city.name}某职业技能培训中心",
                "credit_code": make_credit_code(city.code, n),
            },
            "培训机构默许持假证人员参加复审",
        )
        city.open(case)
        actions.record_finding(case, actor=city.user("officer1"), kind="training_collusion")
        actions.order_rectification(
            case,
            actor=city.user("officer1"),
            deadline=datetime.date(2018, 10, 31),
            items="停止违规复审，整改培训考核流程",
        )


def _seller_fined_not_referred(city: City) -> None:
    """以罚代刑: a unit fined while the certificate seller it employed is never referred."""
    with on("2018-09-21"):
        case = city.case(city.employer("机械制造"), "查实员工在厂内兜售伪造操作证")
        city.open(case)
        dealer = city.person(case, role="seller")
        actions.record_finding(case, actor=city.user("officer1"), kind="certificate_trading", person=dealer.pk)
        actions.record_finding(case, actor=city.user("officer1"), kind="unlicensed_operation")
    with on("2018-09-25", 9):
        penalties.fine(
            case, head=city.user("head"), handler=city.user("officer1"), amount=Decimal("30000"), served=True
        )


# Each city's telephone area code (长途区号), so the demo's numbers are ones its offices could have.
AREA_CODES = {
    "440100": "020", "440200": "0751", "440300": "0755", "440400": "0756", "440500": "0754", "440600": "0757",
    "440700": "0750", "440800": "0759", "440900": "0668", "441200": "0758", "441300": "0752", "441400": "0753",
    "441500": "0660", "441600": "0762", "441700": "0662", "441800": "0763", "441900": "0769", "442000": "0760",
    "445100": "0768", "445200": "0663", "445300": "0766",
}  # fmt: skip


def _self_inspection(city: City, month: datetime.date) -> None:
    n = 40 + city.index * 7 + month.month
    reports.save_self_inspection(
        actor=city.user("supervisor"),
        region=city.region,
        month=month,
        campaign=Campaign.objects.get(slug="gd-2018-cert"),
        values={
            "employers": n,
            "employer_fake_found": city.index % 4,
            "employer_reported": city.index % 4,
            "institutions": 2 + city.index % 3,
            "authority_problems": city.index % 2,
            "filled_by": city.person_name(),
            "phone": f"{AREA_CODES.get(city.code, '020')}-8{city.index:03d}{month.month:04d}",
        },
    )


def _submit(city: City, month: str, reason: str = "") -> MonthlySubmission:
    day = datetime.date.fromisoformat(month + "-01")
    return reports.submit_monthly(
        actor=city.user("supervisor"),
        region=city.region,
        month=day,
        campaign=Campaign.objects.get(slug="gd-2018-cert"),
        narrative=WORK.format(n=40 + city.index * 7, m=300 + city.index * 11),
        reviewer=city.person_name(),
        reason=reason,
    )


def _august(cities: list[City]) -> None:
    for city in cities:
        with on("2018-08-23", 16):
            _self_inspection(city, datetime.date(2018, 8, 1))
            _submit(city, "2018-08")


def _september(cities: list[City]) -> None:
    """On time, late, returned and resubmitted, or missing."""
    for city in cities:
        with on("2018-09-24", 15):
            _self_inspection(city, datetime.date(2018, 9, 1))
            if city.index < 10:
                _submit(city, "2018-09")
    with on("2018-09-27", 10):
        for city in cities[10:12]:
            _submit(city, "2018-09")  # late
        province = get_user_model().objects.get(username="gd.supervisor")
        reports.return_month(
            actor=province,
            region=cities[0].region,
            month=datetime.date(2018, 9, 1),
            campaign=Campaign.objects.get(slug="gd-2018-cert"),
            reason="自查自纠“上报处理（人）”与执法情况不衔接，请核实后重新报送",
        )
    with on("2018-09-28", 11):
        _submit(cities[0], "2018-09", reason="核实后更正自查自纠上报处理人数")


def _october(cities: list[City]) -> None:
    for city in cities[:8]:
        with on("2018-10-24", 15):
            _self_inspection(city, datetime.date(2018, 10, 1))
            _submit(city, "2018-10")


def _return(city: City, kind: str) -> CampaignReturn:
    return reports.submit_return(
        actor=city.user("supervisor"),
        region=city.region,
        campaign=Campaign.objects.get(slug="gd-2018-cert"),
        kind=kind,
        text=f"{city.name}打击假冒特种作业操作证专项治理行动实施方案：成立工作组，分四个阶段推进……",
    )

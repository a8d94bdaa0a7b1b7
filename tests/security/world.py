"""The objects the authorization matrix asks about: one set in Guangzhou (gz, the city of the
matrix's roles) and one in Shenzhen (sz, the other city), each built through the real actions.

Per city:
  lead          a lead (线索)
  case          an open case, handlers officer1 and the head (officer2 is not a handler), with a
                person, a referable finding, a rectification order, a suspension, a fine 20 days old,
                a takedown asked of the city's cyberspace office, an evidence file and a supervision
                listing by the city's supervisor; nothing referred
  bare          an open case with nothing in it (it may close; it may be listed)
  closed        a closed case
  <status>      a referral in that status, each on its own case, referred to the city's police:
                proposed, refused, approved, transmitted, received, rejected, reconsideration,
                supervision (the city's procuratorate asked), accepted, supplement_requested; and
                `forwarded`: transmitted, then forwarded by the city's police to Foshan's; `declined`:
                received, then not police business; `explaining`: under supervision, the police asked to
                explain; `ps_accepted`: a public-security referral (a certificate used) the police accepted,
                `ps_concluded` one with its outcome recorded; `upheld`: the rejection upheld on
                reconsideration; `ordered`: the police explained, the procuratorate ordered the filing
  referred      the case of the `received` referral (the police see it)
  takedown, listing, evidence, rectification, suspension, person: parts of `case`
  fine          a fine of `case` served seven months ago, a 催告 served half a year ago: the court may be asked
  unserved      a fine of `case` not yet served; `unpaid` one served 30 days ago, no 催告 yet
  October 2018  the city's monthly return, submitted with its stamped scan
  plan          the city's work plan for the campaign, submitted with its PDF
  correction    a correction of `case` awaiting its head; `endorsement` one awaiting the supervisors
  penalties     of `case`, one at each step of the procedure: proposed_penalty, approved_penalty,
                notified_penalty, waived_penalty, decided_penalty; suspensions with a hearing right:
                hearing_right (notified), hearing_requested, hearing_held (presided by the city's
                legal officer, its time passed), to_review (the party waived: the legal review is due);
                fresh_act a finding no penalty is about yet
  calendar_year an entered holiday arrangement (admin)
  notification  a notification to the city's officer1
  roster        a roster check saved by the city's officer1, one failed row
  job           a finished job of the city's officer1, with its result file and one rejected row
  region        the city's region
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import enrolment
from accounts.tokens import issue as issue_token
from agencies.models import Region
from cases import actions, corrections
from certificates import actions as certificate_actions
from certificates.models import RosterCheck
from certificates.verify import verify
from demo.reach import reach
from demo.sample_cases import make_id_number
from jobs.models import Job, RejectedRow
from notifications.outbox import notify
from oversight import actions as oversight_actions
from oversight import reports
from oversight.models import Campaign
from tests.factories import CaseFactory, demo_user, failed_rectification, fine_of, hearing_time, suspension_of
from workflows import actions as referrals
from workflows import penalties
from workflows.models import CalendarYear

CITIES = {"gz": "guangzhou", "sz": "shenzhen"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFERRAL_STATES = (
    "proposed",
    "refused",
    "approved",
    "transmitted",
    "received",
    "rejected",
    "reconsideration",
    "supervision",
    "accepted",
    "forwarded",
    "supplement_requested",
    "declined",
    "explaining",
    "ps_accepted",
    "upheld",
    "ordered",
    "ps_concluded",
)


@dataclass
class City:
    slug: str
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def user(self, role: str):
        return demo_user(f"{self.slug}.{role}")


def _act(case, officer) -> int:
    """A finding of its own for each fine of the world's case: three acts, three fines (第29条)."""
    return actions.record_finding(case, actor=officer, kind="unlicensed_operation", note="另一起无证上岗").pk


def pdf_upload(name="现场照片.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _open_case(city: City):
    case = CaseFactory(city=city.slug, status="lead")
    return actions.open_case(case, actor=city.user("officer1"), handlers=[f"{city.slug}.officer1", f"{city.slug}.head"])


def _person_with_finding(city: City, case, n: int, kind: str | None = None):
    officer = city.user("officer1")
    person = actions.add_person(
        case,
        actor=officer,
        name=f"矩阵人员{n}",
        id_number=make_id_number(case.region_id, datetime.date(1985, 3, 9), 700 + n),
        role="holder",
    )
    actions.record_finding(
        case,
        actor=officer,
        kind=kind or "certificate_trading",
        person=person.pk,
        certificate_number=f"T{case.region_id}{n:06d}",
    )
    return person


def _referral_in(city: City, status: str, n: int):
    """A referral walked to `status` by the people whose step it is (see the module's docstring)."""
    case = _open_case(city)
    ps = status in ("ps_accepted", "ps_concluded")
    person = _person_with_finding(city, case, n, kind="forged_certificate" if ps else None)
    target = {
        "forwarded": "transmitted",
        "declined": "received",
        "explaining": "supervision",
        "ps_accepted": "accepted",
        "ps_concluded": "accepted",
        "upheld": "rejection_upheld",
        "ordered": "filing_ordered",
    }
    r = reach(case, target.get(status, status), persons=[person.pk], report="持伪造操作证上岗，涉嫌犯罪。")
    if status == "forwarded":
        r = referrals.forward(r, actor=city.user("police_head"), police_agency="foshan-police", reason="不属本局管辖")
    if status == "declined":
        r = referrals.decline_jurisdiction(r, actor=city.user("police_head"), reason="不属于公安机关职责范围")
    if status == "explaining":
        r = referrals.request_explanation(r, actor=city.user("procurator"), note="请说明不立案理由")
    if status == "ps_concluded":
        r = referrals.record_outcome(r, actor=city.user("police_head"), outcome="行政拘留十日")
    return r


def build_city(code: str) -> City:
    city = City(CITIES[code])
    o = city.objects
    officer, head = city.user("officer1"), city.user("head")
    today = timezone.localdate()
    o["region"] = Region.objects.get(slug=city.slug)
    o["lead"] = CaseFactory(city=city.slug, status="lead")
    o["closed"] = CaseFactory(city=city.slug, status="closed")
    o["bare"] = _open_case(city)

    # A fine served seven months ago, with a 催告 half a year ago: the court may be asked (行政强制法 第53条).
    with time_machine.travel(timezone.now() - datetime.timedelta(days=210)):
        case = _open_case(city)
        o["fine"] = fine_of(case, actor=f"{city.slug}.head", served=True, finding=_act(case, officer))
    with time_machine.travel(timezone.now() - datetime.timedelta(days=190)):
        actions.issue_demand(case, actor=head, fine=o["fine"].pk, served_on=timezone.localdate())
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30)):
        o["unpaid"] = fine_of(
            case, actor=f"{city.slug}.head", amount="10000.00", served=True, finding=_act(case, officer)
        )

    # The penalty procedure, one penalty at each step (workflows.penalties).
    def started(amount: str = "5000.00"):
        return penalties.impose_fine(
            case, actor=head, amount=Decimal(amount), legal_basis="AQSCF-97-7", finding=_act(case, officer)
        )

    def notified(penalty):
        penalties.notify_penalty(case, actor=officer, penalty=penalty.pk, served_on=timezone.localdate(), method="post")
        return penalty

    def waived(penalty):
        penalties.record_statement(case, actor=officer, penalty=penalty.pk, text="无异议", waives=True)
        return penalty

    o["proposed_penalty"] = penalties.propose_penalty(
        case,
        actor=officer,
        kinds=["fine"],
        amount=Decimal("5000.00"),
        legal_basis="AQSCF-97-7",
        finding=_act(case, officer),
        facts="使用无证人员作业",
        violation_date=timezone.localdate(),
    )
    o["approved_penalty"] = started()
    o["notified_penalty"] = notified(started())
    o["waived_penalty"] = waived(notified(started()))
    o["decided_penalty"] = penalties.decide_penalty(
        case, actor=head, penalty=waived(notified(started())).pk, note="当事人无异议"
    )
    o["unserved"] = o["decided_penalty"]

    # 责令停产停业整顿 with its fine, after a failed rectification (安全生产法 第97条); each its own act.
    def suspension(day_of_act):
        return penalties.suspend_production(
            case,
            actor=head,
            reason="逾期未改正",
            starts_on=timezone.localdate() + datetime.timedelta(days=60),
            amount=Decimal("100000"),
            violation_date=day_of_act,
            finding=_act(case, officer),
        )

    with time_machine.travel(timezone.now() - datetime.timedelta(days=40)):
        failed_rectification(case, actor=f"{city.slug}.officer1")
        o["hearing_held"] = suspension(timezone.localdate())
        notified(o["hearing_held"])
        penalties.request_hearing(case, actor=officer, penalty=o["hearing_held"].pk)
        penalties.schedule_hearing(
            case,
            actor=head,
            penalty=o["hearing_held"].pk,
            at=hearing_time(20),
            place="听证室",
            officer=f"{city.slug}.legal",
        )
    o["hearing_right"] = notified(suspension(timezone.localdate() - datetime.timedelta(days=1)))
    o["hearing_requested"] = notified(suspension(timezone.localdate() - datetime.timedelta(days=2)))
    penalties.request_hearing(case, actor=officer, penalty=o["hearing_requested"].pk)
    o["to_review"] = notified(suspension(timezone.localdate() - datetime.timedelta(days=3)))
    penalties.record_statement(
        case, actor=officer, penalty=o["to_review"].pk, text="放弃陈述申辩和听证", waives=True, waives_hearing=True
    )
    o["fresh_act"] = _act(case, officer)  # an act no penalty is about yet
    o["case"] = case
    o["calendar_year"] = CalendarYear.objects.create(year=2040 + len(CITIES[code]), notice="矩阵测试通知")
    o["person"] = _person_with_finding(city, case, 0)
    o["correction"] = corrections.correct(
        case, actor=officer, target="person", id=o["person"].pk, field="name", value="更正后姓名", reason="错字"
    )
    # A correction that would take a referable finding off the road to the police: the supervisors decide.
    off_the_road = _person_with_finding(city, case, 9).findings.get()
    o["endorsement"] = corrections.correct(
        case, actor=head, target="finding", id=off_the_road.pk, field="kind", value="lent_certificate", reason="复核"
    )
    o["rectification"] = actions.order_rectification(
        case, actor=officer, deadline=today + datetime.timedelta(days=10), items="清退无证人员"
    )
    o["suspension"] = suspension_of(case, actor=f"{city.slug}.head", reason="停产整顿", starts_on=today)
    o["takedown"] = actions.request_takedown(
        case, actor=officer, url=f"http://{city.slug}-fake-cert.example/", agency=f"{city.slug}-cyber"
    )
    o["evidence"] = certificate_actions.add_evidence(case, pdf_upload(), actor=officer)
    o["listing"] = oversight_actions.list_case(
        case, actor=city.user("supervisor"), deadline=today + datetime.timedelta(days=30), instructions="限期查处"
    )
    # October 2018 submitted by the city, with its stamped scan (the province may return it).
    campaign = Campaign.objects.get(slug="gd-2018-cert")
    october = datetime.date(2018, 10, 1)
    reports.submit_monthly(
        actor=city.user("supervisor"),
        region=city.region,
        month=october,
        campaign=campaign,
        narrative="本月工作情况",
        reviewer="王审核",
    )
    reports.attach_scan(
        actor=city.user("supervisor"),
        region=city.region,
        month=october,
        campaign=campaign,
        upload=pdf_upload("盖章.pdf"),
    )
    # The city's work plan, submitted with its file (the province may return it).
    reports.submit_return(
        actor=city.user("supervisor"),
        region=city.region,
        campaign=campaign,
        kind="plan",
        text="实施方案",
        upload=pdf_upload("实施方案.pdf"),
    )
    for n, status in enumerate(REFERRAL_STATES, start=1):
        o[status] = _referral_in(city, status, n)
    o["referred"] = o["received"].case
    (o["notification"],) = notify([officer], kind="test", title=f"矩阵通知 {city.slug}")
    # Issue 17: an API token of officer1 (TokenInfo: what the token list names), its backup codes,
    # an enrolment code for the head.
    o["knox"] = issue_token(officer)[0]
    o["token"] = o["knox"].info
    o["static"] = StaticDevice.objects.create(user=officer, name="backup", confirmed=True)
    o["enrolment"] = enrolment.issue(head)[0]
    o["roster"] = RosterCheck.objects.create(
        user=officer,
        filename="名册.csv",
        employer="矩阵建筑公司",
        results=verify([{"number": "T0000", "name": "无名"}]),
    )
    o["job"] = Job.objects.create(
        kind="roster_verification",
        owner=officer,
        status="done",
        done=1,
        total=1,
        error_count=1,
        source_name=f"矩阵名册-{city.slug}.csv",
        result_name="矩阵结果.xlsx",
    )
    o["job"].result.save("matrix", ContentFile(b"PK"), save=True)
    RejectedRow.objects.create(job=o["job"], line=2, reason="矩阵拒收行")
    for obj in o.values():
        if hasattr(obj, "refresh_from_db"):
            obj.refresh_from_db()
    return city


def build_world() -> dict[str, City]:
    return {code: build_city(code) for code in CITIES}

"""The domain's reference tables, as data: finding kinds, party kinds, sources, roles."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.calendar import Period


class Source(models.TextChoices):
    INSPECTION = "inspection", _("inspection")
    TIP = "tip", _("tip-off")
    SELF_REPORT = "self_report", _("self-report")
    VERIFICATION = "verification", _("certificate verification")
    TRANSFER = "transfer", _("transfer from another agency")
    CYBER_PATROL = "cyber_patrol", _("cyber patrol")


class PartyKind(models.TextChoices):
    EMPLOYER = "employer", _("employer")
    TRAINING_INSTITUTION = "training_institution", _("training institution")
    INTERMEDIARY = "intermediary", _("illegal intermediary")
    WEBSITE = "website", _("counterfeit website")
    INDIVIDUAL = "individual", _("individual")


ORGANISATION_PARTIES = {PartyKind.EMPLOYER, PartyKind.TRAINING_INSTITUTION, PartyKind.INTERMEDIARY}


class PersonRole(models.TextChoices):
    HOLDER = "holder", _("certificate holder")
    SELLER = "seller", _("seller")
    OPERATOR = "operator", _("operator")
    RESPONSIBLE = "responsible", _("responsible person")
    OTHER = "other", _("other")


class FindingKind(models.TextChoices):
    FORGED_CERTIFICATE = "forged_certificate", _("holding or using a forged certificate")
    ALTERED_CERTIFICATE = "altered_certificate", _("altered certificate")
    CERTIFICATE_TRADING = "certificate_trading", _("forging or trading certificates")
    COUNTERFEIT_WEBSITE = "counterfeit_website", _("counterfeit government website")
    ILLEGAL_INTERMEDIARY = "illegal_intermediary", _("illegal intermediary selling certificates")
    LENT_CERTIFICATE = "lent_certificate", _("lending, transferring or impersonating a certificate")
    UNLICENSED_OPERATION = "unlicensed_operation", _("working without a certificate")
    TRAINING_COLLUSION = "training_collusion", _("training institution colluding in forged renewals")


class ReferralKind(models.TextChoices):
    """How a referable finding goes to the police (LEGAL.md §2, "What goes to the police, and how")."""

    CRIMINAL = "criminal", _("criminal (涉嫌犯罪案件移送)")
    PUBLIC_SECURITY = "public_security", _("public security (移送公安机关依法处理)")


@dataclass(frozen=True)
class Offence:
    """What a person is suspected of, as the 移送书 names it, and the article."""

    name: str
    article: str


@dataclass(frozen=True)
class FindingRule:
    referable: bool
    basis: str
    # A referable finding: how it goes to the police by default, and the suspected offence.
    referral_kind: str = ""
    offence: Offence | None = None
    # The offence when the proposer sends it the other way, with the reason on the record.
    other_offence: Offence | None = None

    def offence_for(self, kind: str) -> Offence | None:
        return self.offence if kind == self.referral_kind else self.other_offence


_ART_280 = "刑法 第280条第一款"
_ART_52 = "治安管理处罚法(2012) 第52条"
# Which findings must go to the police (DESIGN §2), how, and as what (LEGAL.md §2). Data, not code
# paths. Using a forged or altered certificate alone is a 治安 matter (治安管理处罚法 第52条第(二)项);
# forging, altering or trading one is a crime (刑法 第280条); a counterfeit government website is
# 非法利用信息网络 (刑法 第287条之一), with 第280条 where it sells forged certificates.
FINDING_RULES: dict[str, FindingRule] = {
    # A holder sent as a crime has bought the certificate (买卖, 第280条); an alterer or a seller sent
    # as a 治安 matter falls under 第52条 (一) of the 治安管理处罚法.
    FindingKind.FORGED_CERTIFICATE: FindingRule(
        True,
        f"{_ART_52}第(二)项",
        ReferralKind.PUBLIC_SECURITY,
        Offence("使用伪造的国家机关证件", f"{_ART_52}第(二)项"),
        Offence("涉嫌买卖国家机关证件罪（购买、使用伪造的特种作业操作证）", _ART_280),
    ),
    FindingKind.ALTERED_CERTIFICATE: FindingRule(
        True,
        _ART_280,
        ReferralKind.CRIMINAL,
        Offence("涉嫌变造国家机关证件罪", _ART_280),
        Offence("变造国家机关证件", f"{_ART_52}第(一)项"),
    ),
    FindingKind.CERTIFICATE_TRADING: FindingRule(
        True,
        _ART_280,
        ReferralKind.CRIMINAL,
        Offence("涉嫌伪造、买卖国家机关证件罪", _ART_280),
        Offence("伪造、买卖国家机关证件", f"{_ART_52}第(一)项"),
    ),
    FindingKind.COUNTERFEIT_WEBSITE: FindingRule(
        True,
        "刑法 第287条之一 (operators)",
        ReferralKind.CRIMINAL,
        Offence("涉嫌非法利用信息网络罪", "刑法 第287条之一；涉及出售伪造证件的，第280条第一款"),
    ),
    FindingKind.ILLEGAL_INTERMEDIARY: FindingRule(
        True,
        _ART_280,
        ReferralKind.CRIMINAL,
        Offence("涉嫌买卖国家机关证件罪", _ART_280),
        Offence("买卖国家机关证件", f"{_ART_52}第(一)项"),
    ),
    FindingKind.LENT_CERTIFICATE: FindingRule(False, "特种作业人员安全技术培训考核管理规定第四十一条"),
    FindingKind.UNLICENSED_OPERATION: FindingRule(False, "安全生产法第九十七条"),
    FindingKind.TRAINING_COLLUSION: FindingRule(False, "特种作业人员安全技术培训考核管理规定"),
}


@dataclass(frozen=True)
class LegalBasisDefault:
    code: str
    title: str
    fined: str  # "party" or "person"
    minimum: int
    maximum: int
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    applies_to: tuple[str, ...] = ()  # party kinds (party fines) or person roles (person fines)
    condition: str = ""
    warning: bool = False
    agency_kinds: tuple[str, ...] = ("safety_regulator",)
    finding_kinds: tuple[str, ...] = ()  # the acts it punishes
    suspends: bool = False  # orders 责令停产停业整顿 too
    citation: str = ""  # as the papers cite it
    violated: str = ""  # the provision the act violates, where it is certain


_LAW_2014 = datetime.date(2014, 12, 1), datetime.date(2021, 8, 31)  # 安全生产法 as amended in 2014
_LAW_2021 = datetime.date(2021, 9, 1)  # 安全生产法 as amended in 2021
# 原国家安全监管总局令第30号, replaced by 应急管理部令第19号 from 2026-06-01 (LEGAL.md §3): acts from then
# take the new decree's articles, entered in the admin as their text is adopted.
_ORDER_30 = datetime.date(2010, 7, 1), datetime.date(2026, 5, 31)
_UNIT = (PartyKind.EMPLOYER,)  # 生产经营单位: never a training institution or an intermediary
# 直接负责的主管人员和其他直接责任人员 of a 生产经营单位, not the worker
_MANAGERS = (PersonRole.RESPONSIBLE, PartyKind.EMPLOYER)
# The acts: a special worker without a valid certificate (第97条), a forged or altered one (第40条,
# 第41条), one lent, transferred or impersonated (第41条).
_UNQUALIFIED = (
    FindingKind.UNLICENSED_OPERATION,
    FindingKind.FORGED_CERTIFICATE,
    FindingKind.ALTERED_CERTIFICATE,
    FindingKind.LENT_CERTIFICATE,
)
_FORGED = (FindingKind.FORGED_CERTIFICATE, FindingKind.ALTERED_CERTIFICATE)
_LENT = (FindingKind.LENT_CERTIFICATE,)
_WORKER = (PersonRole.HOLDER, PersonRole.OTHER)
_FAILED = "failed_rectification"

# DESIGN §2 and LEGAL.md §3, with the 2014 wording of the same provisions for violations before
# 2021-09-01 (the day of the violation picks the version). Loaded by seed_demo; editable in the admin.
DEFAULT_LEGAL_BASES = [
    LegalBasisDefault(
        "AQSCF-97-7",
        "安全生产法(2014)第九十四条第七项 无证上岗",
        "party",
        0,
        50_000,
        *_LAW_2014,
        applies_to=_UNIT,
        finding_kinds=_UNQUALIFIED,
        citation="《中华人民共和国安全生产法》（2014年修正）第九十四条第（七）项",
        violated="《中华人民共和国安全生产法》（2014年修正）第二十七条第一款",
    ),
    LegalBasisDefault(
        "AQSCF-97-7-OVERDUE",
        "安全生产法(2014)第九十四条第七项 逾期未改正",
        "party",
        50_000,
        100_000,
        *_LAW_2014,
        applies_to=_UNIT,
        condition=_FAILED,
        finding_kinds=_UNQUALIFIED,
        suspends=True,
        citation="《中华人民共和国安全生产法》（2014年修正）第九十四条第（七）项",
        violated="《中华人民共和国安全生产法》（2014年修正）第二十七条第一款",
    ),
    LegalBasisDefault(
        "AQSCF-97-7-PERSON",
        "安全生产法(2014)第九十四条第七项 直接负责的主管人员",
        "person",
        10_000,
        20_000,
        *_LAW_2014,
        applies_to=_MANAGERS,
        condition=_FAILED,
        finding_kinds=_UNQUALIFIED,
        citation="《中华人民共和国安全生产法》（2014年修正）第九十四条第（七）项",
        violated="《中华人民共和国安全生产法》（2014年修正）第二十七条第一款",
    ),
    LegalBasisDefault(
        "AQSCF-97-7",
        "安全生产法(2021)第九十七条第七项 无证上岗",
        "party",
        0,
        100_000,
        _LAW_2021,
        applies_to=_UNIT,
        finding_kinds=_UNQUALIFIED,
        citation="《中华人民共和国安全生产法》（2021年修正）第九十七条第（七）项",
        violated="《中华人民共和国安全生产法》（2021年修正）第三十条第一款",
    ),
    LegalBasisDefault(
        "AQSCF-97-7-OVERDUE",
        "安全生产法(2021)第九十七条第七项 逾期未改正",
        "party",
        100_000,
        200_000,
        _LAW_2021,
        applies_to=_UNIT,
        condition=_FAILED,
        finding_kinds=_UNQUALIFIED,
        suspends=True,
        citation="《中华人民共和国安全生产法》（2021年修正）第九十七条第（七）项",
        violated="《中华人民共和国安全生产法》（2021年修正）第三十条第一款",
    ),
    LegalBasisDefault(
        "AQSCF-97-7-PERSON",
        "安全生产法(2021)第九十七条第七项 直接负责的主管人员",
        "person",
        20_000,
        50_000,
        _LAW_2021,
        applies_to=_MANAGERS,
        condition=_FAILED,
        finding_kinds=_UNQUALIFIED,
        citation="《中华人民共和国安全生产法》（2021年修正）第九十七条第（七）项",
        violated="《中华人民共和国安全生产法》（2021年修正）第三十条第一款",
    ),
    LegalBasisDefault(
        "TZZY-40",
        "特种作业人员安全技术培训考核管理规定第四十条 使用伪造证件",
        "party",
        10_000,
        30_000,
        *_ORDER_30,
        applies_to=_UNIT,
        warning=True,
        finding_kinds=_FORGED,
        citation="《特种作业人员安全技术培训考核管理规定》（原国家安全生产监督管理总局令第30号）第四十条",
        violated="《特种作业人员安全技术培训考核管理规定》（原国家安全生产监督管理总局令第30号）第五条",
    ),
    LegalBasisDefault(
        "TZZY-41-1",
        "特种作业人员安全技术培训考核管理规定第四十一条 伪造、涂改或使用伪造证件",
        "person",
        1_000,
        5_000,
        *_ORDER_30,
        applies_to=_WORKER,
        warning=True,
        finding_kinds=_FORGED,
        citation="《特种作业人员安全技术培训考核管理规定》（原国家安全生产监督管理总局令第30号）第四十一条",
    ),
    LegalBasisDefault(
        "TZZY-41-2",
        "特种作业人员安全技术培训考核管理规定第四十一条 转借、转让、冒用",
        "person",
        2_000,
        10_000,
        *_ORDER_30,
        applies_to=_WORKER,
        warning=True,
        finding_kinds=_LENT,
        citation="《特种作业人员安全技术培训考核管理规定》（原国家安全生产监督管理总局令第30号）第四十一条",
    ),
]

# Fines: 15 days from service to pay (行政处罚法 第67条), then 3 % a day, never more than the fine
# itself (第72条). The court may be asked within 3 months after the party's 6 months to sue have run
# out (行政诉讼法 第46条, 行政强制法 第53条), more than 10 days after a written 催告 (第54条).
FINE_PAYMENT_DAYS = 15
# 较大数额罚款 (行政处罚法 第63条) gives the party the right to a hearing; the amount is set by the
# province's rules, these are the defaults for a person and for a unit (yuan).
HEARING_FINE_PERSON = Decimal("5000")
HEARING_FINE_UNIT = Decimal("50000")
HEARING_NOTICE_WORKING_DAYS = 7  # 第64条: the party is told 7 days before (working days, 第85条)
# The time an advance notice without a hearing right gives the party to state its case before the
# decision (第44、45条 set no length; the notice prints it).
STATEMENT_PERIOD = Period(3, "working_days")
# The papers of the penalty procedure by their official names (workflows/penalty_papers.py draws them).
PENALTY_PAPER_TITLES = {
    "notice": "行政处罚事先告知书",
    "notice_receipt": "送达回证（事先告知书）",
    "hearing_notice": "听证通知书",
    "hearing_notice_receipt": "送达回证（听证通知书）",
    "decision": "行政处罚决定书",
    "decision_receipt": "送达回证（处罚决定书）",
}
LATE_PENALTY_RATE_PERCENT = 3
CONTEST_MONTHS = 6
ENFORCEMENT_WINDOW_MONTHS = 3
DEMAND_WAIT_DAYS = 10

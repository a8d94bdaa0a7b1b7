"""The domain's reference tables, as data: finding kinds, party kinds, sources, roles."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


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


@dataclass(frozen=True)
class FindingRule:
    referable: bool
    basis: str


# Which findings must go to the police (DESIGN §2). Data, not code paths.
FINDING_RULES: dict[str, FindingRule] = {
    FindingKind.FORGED_CERTIFICATE: FindingRule(True, "治安管理处罚法 / 刑法第280条"),
    FindingKind.ALTERED_CERTIFICATE: FindingRule(True, "治安管理处罚法 / 刑法第280条"),
    FindingKind.CERTIFICATE_TRADING: FindingRule(True, "刑法第280条"),
    FindingKind.COUNTERFEIT_WEBSITE: FindingRule(True, "刑法第280条 (operators)"),
    FindingKind.ILLEGAL_INTERMEDIARY: FindingRule(True, "刑法第280条"),
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


_LAW_2014 = datetime.date(2014, 12, 1), datetime.date(2021, 8, 31)  # 安全生产法 as amended in 2014
_LAW_2021 = datetime.date(2021, 9, 1)  # 安全生产法 as amended in 2021
_ORDER_30 = datetime.date(2010, 7, 1)  # 原国家安全监管总局令第30号

# DESIGN §2, and the 2014 wording of the same provisions for violations before 2021-09-01
# (the day of the violation picks the version). Loaded by seed_demo; editable in the admin.
DEFAULT_LEGAL_BASES = [
    LegalBasisDefault("AQSCF-97-7", "安全生产法(2014)第九十四条第七项 无证上岗", "party", 0, 50_000, *_LAW_2014),
    LegalBasisDefault(
        "AQSCF-97-7-OVERDUE", "安全生产法(2014)第九十四条第七项 逾期未改正", "party", 50_000, 100_000, *_LAW_2014
    ),
    LegalBasisDefault(
        "AQSCF-97-7-PERSON", "安全生产法(2014)第九十四条第七项 直接负责的主管人员", "person", 10_000, 20_000, *_LAW_2014
    ),
    LegalBasisDefault("AQSCF-97-7", "安全生产法(2021)第九十七条第七项 无证上岗", "party", 0, 100_000, _LAW_2021),
    LegalBasisDefault(
        "AQSCF-97-7-OVERDUE", "安全生产法(2021)第九十七条第七项 逾期未改正", "party", 100_000, 200_000, _LAW_2021
    ),
    LegalBasisDefault(
        "AQSCF-97-7-PERSON", "安全生产法(2021)第九十七条第七项 直接负责的主管人员", "person", 20_000, 50_000, _LAW_2021
    ),
    LegalBasisDefault(
        "TZZY-40", "特种作业人员安全技术培训考核管理规定第四十条 使用伪造证件", "party", 10_000, 30_000, _ORDER_30
    ),
    LegalBasisDefault(
        "TZZY-41-1",
        "特种作业人员安全技术培训考核管理规定第四十一条 伪造、涂改或使用伪造证件",
        "person",
        1_000,
        5_000,
        _ORDER_30,
    ),
    LegalBasisDefault(
        "TZZY-41-2",
        "特种作业人员安全技术培训考核管理规定第四十一条 转借、转让、冒用",
        "person",
        2_000,
        10_000,
        _ORDER_30,
    ),
]

# Fines (行政处罚法 第七十二条): 15 days to pay, then 3 % a day, never more than the fine itself.
FINE_PAYMENT_DAYS = 15
LATE_PENALTY_RATE_PERCENT = 3

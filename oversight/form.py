"""The campaign's monthly statistics form (DESIGN §5): its layout as data, its cells computed.

Enforcement rows are counted from the cases of the region by the local (Asia/Shanghai) time of
each event; "本月" is the reporting month (periods.py: to its cut-off day, so each event counts in
exactly one), "累计" runs from the campaign's start to the month's cut-off. A
province form is the sum of its cities. compute() reads the roll-up of tallies.py, kept from the
same facts; compute_direct() counts them, each kind of row in one grouped query.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from agencies.models import Region
from cases.kinds import PartyKind
from cases.models import Case, Event, Finding, Fine, Rectification, Suspension, Takedown, TakedownStatus

from . import periods, tallies

EMPLOYER, TRAINING, WEBSITE, INTERMEDIARY = (
    PartyKind.EMPLOYER,
    PartyKind.TRAINING_INSTITUTION,
    PartyKind.WEBSITE,
    PartyKind.INTERMEDIARY,
)
FAKE_KINDS = ("forged_certificate", "altered_certificate")


@dataclass(frozen=True)
class Row:
    section: str
    row: str
    key: str  # where the value comes from
    money: bool = False


SELF_INSPECTION_ROWS = [
    Row("自查自纠·用人单位", "用人单位（家）", "si:employers"),
    Row("自查自纠·用人单位", "发现假冒证件（人）", "si:employer_fake_found"),
    Row("自查自纠·用人单位", "上报处理（人）", "si:employer_reported"),
    Row("自查自纠·安全培训机构", "安全培训机构（家）", "si:institutions"),
    Row("自查自纠·安全培训机构", "默许或协助复审或换发假冒证件（人）", "si:institution_fake_found"),
    Row("自查自纠·安全培训机构", "上报处理（人）", "si:institution_reported"),
    Row("自查自纠·考核发证机构", "发现问题（条）", "si:authority_problems"),
    Row("自查自纠·考核发证机构", "优化办事程序（条）", "si:authority_improvements"),
]


def _enforcement(section: str, kind: str) -> list[Row]:
    return [
        Row(section, "发现假冒证件（人）", f"fake:{kind}"),
        Row(section, "责令整改（家）", f"rectify:{kind}"),
        Row(section, "停产整顿（家）", f"suspend:{kind}"),
        Row(section, "行政罚款（元）", f"fine:{kind}", money=True),
        Row(section, "移送公安（人）", f"refer:{kind}"),
    ]


ENFORCEMENT_ROWS = [
    *_enforcement("执法·用人单位", EMPLOYER),
    *_enforcement("执法·安全培训机构", TRAINING),
    Row("执法·假冒网站", "发现假冒网站（家）", "website_found"),
    Row("执法·假冒网站", "封堵网站（家）", "website_blocked"),
    Row("执法·违法中介", "查处违法中介（家）", "intermediary_opened"),
    Row("执法·违法中介", "责令整改（家）", f"rectify:{INTERMEDIARY}"),
    Row("执法·违法中介", "行政罚款（元）", f"fine:{INTERMEDIARY}", money=True),
    Row("执法·违法中介", "移送公安（人）", f"refer:{INTERMEDIARY}"),
]

ROWS = SELF_INSPECTION_ROWS + ENFORCEMENT_ROWS


def _grouped(qs, time_field: str, region_field: str, group: str | None, value, month_start, since, end, city_of: dict):
    """{(city, group value): (month, cumulative)} for one kind of row, in one query grouped by the
    case's region (an index-only join on the large case table); regions fold into cities here."""
    qs = qs.filter(**{f"{time_field}__gte": since, f"{time_field}__lt": end})
    keys = [region_field] + ([group] if group else [])
    rows = qs.values(*keys).annotate(month=value(Q(**{f"{time_field}__gte": month_start})), cumulative=value(None))
    out: dict[tuple, tuple] = {}
    for r in rows:
        key = (city_of[r[region_field]], r.get(group) if group else None)
        month, cumulative = out.get(key, (0, 0))
        out[key] = (month + (r["month"] or 0), cumulative + (r["cumulative"] or 0))
    return out


def _count(field):
    return lambda q: Count(field, distinct=True, filter=q) if q is not None else Count(field, distinct=True)


def _sum(field):
    return lambda q: Sum(field, filter=q) if q is not None else Sum(field)


def compute(region_path: str, month: datetime.date, campaign) -> dict[str, dict[str, tuple]]:
    """{city code: {row key: (month, cumulative)}} for every city of the region with activity: of
    the province or a city from the roll-up (tallies.py, a few rows per city and month, whatever
    the history), of a smaller region or outside the campaign's months counted directly."""
    if region_path.count("/") <= 2 and month in periods.report_months(campaign):
        return tallies.read(region_path, month, campaign)
    return compute_direct(region_path, month, campaign)


def compute_direct(region_path: str, month: datetime.date, campaign) -> dict[str, dict[str, tuple]]:
    """compute() counted from every case since the campaign began: the reference the roll-up is
    held equal to (tests/oversight/test_aggregates.py)."""
    month_start, end = periods.period(campaign, month)
    since = periods.since(campaign)
    # Every region of the subtree and its city ("440000/440100/…": the second code of the path).
    city_of = {
        code: (path.split("/")[1] if path.count("/") > 1 else code)
        for code, path in Region.objects.filter(path__startswith=region_path).values_list("code", "path")
    }
    codes = list(city_of)
    kind, region = "case__party_kind", "case__region_id"
    args = (month_start, since, end, city_of)
    in_region = {"case__region_id__in": codes}
    sources = {
        "fake": _grouped(
            Finding.objects.filter(kind__in=FAKE_KINDS, **in_region),
            "recorded_at",
            region,
            kind,
            _count("person"),
            *args,
        ),
        "rectify": _grouped(
            Rectification.objects.filter(**in_region), "issued_at", region, kind, _count("case"), *args
        ),
        "suspend": _grouped(Suspension.objects.filter(**in_region), "ordered_at", region, kind, _count("case"), *args),
        "fine": _grouped(Fine.objects.filter(**in_region), "decided_at", region, kind, _sum("amount"), *args),
        "refer": _grouped(
            Event.objects.filter(action="transmit", **in_region), "at", region, kind, _count("referral__persons"), *args
        ),
        "website_found": _grouped(
            Finding.objects.filter(kind="counterfeit_website", case__party_kind=WEBSITE, **in_region),
            "recorded_at",
            region,
            None,
            _count("case"),
            *args,
        ),
        "website_blocked": _grouped(
            Takedown.objects.filter(status=TakedownStatus.BLOCKED, **in_region),
            "decided_at",
            region,
            None,
            _count("id"),
            *args,
        ),
        "intermediary_opened": _grouped(
            Case.objects.filter(region_id__in=codes, party_kind=INTERMEDIARY),
            "opened_at",
            "region_id",
            None,
            _count("id"),
            *args,
        ),
    }
    out: dict[str, dict[str, tuple]] = {}
    for source, values in sources.items():
        for (city, group), pair in values.items():
            key = f"{source}:{group}" if group else source
            out.setdefault(city, {})[key] = pair
    return out


def zero(row: Row):
    return Decimal("0.00") if row.money else 0


def assemble(enforcement: dict[str, tuple], self_inspection: dict[str, tuple]) -> list[dict]:
    """The form's rows in paper order, as JSON-ready dicts."""
    out = []
    for row in ROWS:
        source = self_inspection if row.key.startswith("si:") else enforcement
        month, cumulative = source.get(row.key, (zero(row), zero(row)))
        if row.money:
            month, cumulative = f"{Decimal(month):.2f}", f"{Decimal(cumulative):.2f}"
        out.append({"section": row.section, "row": row.row, "month": month, "cumulative": cumulative})
    return out


def add(a: dict[str, tuple], b: dict[str, tuple]) -> dict[str, tuple]:
    keys = set(a) | set(b)
    return {k: tuple(x + y for x, y in zip(a.get(k, (0, 0)), b.get(k, (0, 0)), strict=True)) for k in keys}

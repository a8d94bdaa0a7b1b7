"""The monthly form's roll-up (issue 20): what form.compute_direct counts from every case since the
campaign began, kept per campaign, reporting month, city and cell (FormTally), so that a form reads
a few hundred rows whatever the number of cases.

A row holds the month's figure (`value`) and what the month adds to 累计 (`new`): a sum adds its
month; a count of distinct cases or persons adds those first seen in that month since the campaign's
start, so 累计 of a month is the sum of `new` up to it.

How the rows follow the facts: an action that changes a fact the form counts leaves a mark
(FormChange: the case's region and when) in its own transaction, through the hook cases.events
offers (installed by OversightConfig.ready); it costs that action one INSERT and the others nothing.
The next read of any form takes the marks and counts again, from the same facts the reference
counts, the marked cities' months from the earliest marked one to the campaign's end. A campaign
never tallied, or whose dates changed, is counted from scratch; `rebuild` (manage.py
rebuild_form_tallies, generate_load after its bulk load, the data migration) counts all.

Why marks and not running totals kept by each action: the distinct counts (a person found twice
in a month is one) need the fact's earlier occurrences, more queries in every action and a hot
counter row per city that concurrent actions would queue on; and the rules would be written twice,
once in the form and once in the actions. Counted again from the facts, they are written once
(FACTS, the reference's rows) and a test holds the two equal.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Min, Sum, Value, When

from cases.kinds import PartyKind

from . import periods

FAKE_KINDS = ("forged_certificate", "altered_certificate")
LOCK = 7_220_020  # pg_advisory_xact_lock key: one refresh at a time
MONEY = ("fine",)
CHUNK = 5000


@dataclass(frozen=True)
class Fact:
    """One kind of row of the form: the records it counts, by which time, region and group."""

    key: str  # form.compute's key, "key:group" when grouped
    model: str
    time: str
    region: str
    group: str | None
    entity: str | None  # counted once per (entity, region, group); None: `amount` summed
    where: dict[str, Any] = field(default_factory=dict)
    unique: bool = False  # the entity is the row itself: first seen when it is made


FACTS = (
    Fact("fake", "Finding", "recorded_at", "case__region_id", "case__party_kind", "person", {"kind__in": FAKE_KINDS}),
    Fact("rectify", "Rectification", "issued_at", "case__region_id", "case__party_kind", "case"),
    Fact("suspend", "Suspension", "ordered_at", "case__region_id", "case__party_kind", "case"),
    Fact("fine", "Fine", "decided_at", "case__region_id", "case__party_kind", None),
    Fact("refer", "Event", "at", "case__region_id", "case__party_kind", "referral__persons", {"action": "transmit"}),
    Fact(
        "website_found",
        "Finding",
        "recorded_at",
        "case__region_id",
        None,
        "case",
        {"kind": "counterfeit_website", "case__party_kind": PartyKind.WEBSITE},
    ),
    Fact("website_blocked", "Takedown", "decided_at", "case__region_id", None, "id", {"status": "blocked"}, True),
    Fact(
        "intermediary_opened",
        "Case",
        "opened_at",
        "region_id",
        None,
        "id",
        {"party_kind": PartyKind.INTERMEDIARY},
        True,
    ),
)


def signature(campaign: Any) -> str:
    """The dates a campaign's months follow from (periods.py)."""
    first = campaign.first_report_month.isoformat() if campaign.first_report_month else ""
    return f"{campaign.starts_on.isoformat()}|{campaign.ends_on.isoformat()}|{campaign.cutoff_day}|{first}"


def city_of(path: str, code: str) -> str:
    """The city a region counts in ("440000/440100/440104/" → 440100); the province counts as itself."""
    return path.split("/")[1] if path.count("/") > 1 else code


def _cities(apps: Any) -> dict[str, str]:
    return {
        code: city_of(path, code)
        for code, path in apps.get_model("agencies", "Region").objects.values_list("code", "path")
    }


class _Months:
    """The campaign's reporting months as windows of time, and the month a moment counts in."""

    def __init__(self, campaign: Any):
        self.months = periods.report_months(campaign)
        self.windows = [periods.period(campaign, m) for m in self.months]
        self.ends = [end for _start, end in self.windows]
        self.since = periods.since(campaign)

    def index(self, moment: datetime.datetime) -> int:
        """The month of a moment of the campaign (before it: the first; after it: len(months))."""
        return bisect.bisect_right(self.ends, moment)

    def bucket(self, time: str, first: int) -> Choose:
        whens = [When(**{f"{time}__lt": self.ends[i]}, then=Value(i)) for i in range(first, len(self.ends))]
        return Choose(*whens, default=Value(-1), output_field=IntegerField())


def measure(apps: Any, campaign: Any, cities: set[str] | None, first: int) -> dict[tuple[int, str, str], list]:
    """{(month index, city, key): [value, new]} of the months from `first` to the campaign's end,
    counted from the facts (of the given cities, or all)."""
    span = _Months(campaign)
    city = _cities(apps)
    regions = None if cities is None else [code for code, c in city.items() if c in cities]
    lo, hi = span.windows[first][0], span.ends[-1]
    out: dict[tuple[int, str, str], list] = defaultdict(lambda: [0, 0])
    for fact in FACTS:
        model = apps.get_model("cases", fact.model)
        base = model.objects.filter(**fact.where)
        if regions is not None:
            base = base.filter(**{f"{fact.region}__in": regions})
        window = base.filter(**{f"{fact.time}__gte": lo, f"{fact.time}__lt": hi})
        keys = [fact.region] + ([fact.group] if fact.group else [])

        def name(row: dict, fact: Fact = fact) -> str:
            return f"{fact.key}:{row[fact.group]}" if fact.group else fact.key

        # The month's figure, grouped by month in the database: the reference's aggregate per window.
        figure = Sum("amount") if fact.entity is None else Count(fact.entity, distinct=not fact.unique)
        grouped = window.annotate(b=span.bucket(fact.time, first)).order_by().values(*keys, "b").annotate(v=figure)
        for row in grouped:
            if row["v"]:
                cell = out[(row["b"], city[row[fact.region]], name(row))]
                cell[0] += row["v"]
                if fact.entity is None or fact.unique:
                    cell[1] += row["v"]
        if fact.entity is None or fact.unique:
            continue
        # What each month adds to 累计: the entities whose first time since the campaign's start is in it.
        firsts = window.order_by().values(fact.entity, *keys).annotate(t=Min(fact.time))
        if lo <= span.since:  # from the campaign's start (a rebuild): streamed, nothing seen before
            for row in firsts.iterator(chunk_size=CHUNK):
                if row[fact.entity] is not None:
                    out[(span.index(row["t"]), city[row[fact.region]], name(row))][1] += 1
            continue
        active = [row for row in firsts if row[fact.entity] is not None]
        # Those seen before the first month counted are not new: looked up by entity (its index),
        # so the cost follows the months counted, not the history before them.
        earlier: set[tuple] = set()
        entities = sorted({row[fact.entity] for row in active})
        for i in range(0, len(entities), CHUNK):
            before = base.filter(
                **{
                    f"{fact.time}__gte": span.since,
                    f"{fact.time}__lt": lo,
                    f"{fact.entity}__in": entities[i : i + CHUNK],
                }
            )
            if fact.entity == "referral__persons":  # reached through their referrals' index, not every event's
                through = apps.get_model("cases", "Referral").persons.through
                chosen = through.objects.filter(person_id__in=entities[i : i + CHUNK]).values_list("referral_id")
                before = before.filter(referral_id__in=sorted({r for (r,) in chosen}))
            earlier |= set(before.order_by().values_list(fact.entity, *keys).distinct())
        for row in active:
            if tuple(row[k] for k in (fact.entity, *keys)) not in earlier:
                out[(span.index(row["t"]), city[row[fact.region]], name(row))][1] += 1
    return out


def _store(apps: Any, campaign: Any, cities: set[str] | None, first: int) -> None:
    """Count the months from `first` again and replace their rows."""
    tally = apps.get_model("oversight", "FormTally")
    span = _Months(campaign)
    if first >= len(span.months):
        return
    counted = measure(apps, campaign, cities, first)
    old = tally.objects.filter(campaign_id=campaign.pk, month__gte=span.months[first])
    if cities is not None:
        old = old.filter(city__in=cities)
    old.delete()
    tally.objects.bulk_create(
        [
            tally(campaign_id=campaign.pk, month=span.months[i], city=c, key=k, value=v, new=n)
            for (i, c, k), (v, n) in counted.items()
            if 0 <= i < len(span.months) and (v or n)
        ],
        batch_size=2000,
    )


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])


def rebuild(apps: Any = global_apps, campaigns: Iterable[Any] | None = None) -> int:
    """Count every campaign's tallies (or the given ones') from scratch; the marks taken. Returns the rows."""
    tally, change, state = (apps.get_model("oversight", n) for n in ("FormTally", "FormChange", "FormState"))
    with transaction.atomic():
        _lock()
        marks = list(change.objects.values_list("pk", flat=True))
        chosen = list(campaigns) if campaigns is not None else list(apps.get_model("cases", "Campaign").objects.all())
        for campaign in chosen:
            tally.objects.filter(campaign_id=campaign.pk).delete()
            _store(apps, campaign, None, 0)
            state.objects.update_or_create(campaign_id=campaign.pk, defaults={"signature": signature(campaign)})
        if campaigns is None:
            _delete(change, marks)
        return tally.objects.filter(campaign_id__in=[c.pk for c in chosen]).count()


def _delete(change: Any, pks: list[int]) -> None:
    for i in range(0, len(pks), 5000):
        change.objects.filter(pk__in=pks[i : i + 5000]).delete()


def _fact_times(apps: Any, facts: Iterable[str]) -> dict[str, datetime.datetime]:
    """The dates of the records marks name ("finding:12" → its recorded_at)."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for f in facts:
        kind, _, pk = f.partition(":")
        if kind in FACT_TIMES and pk.isdigit():
            wanted[kind].append(int(pk))
    out = {}
    for kind, pks in wanted.items():
        model, time = FACT_TIMES[kind]
        for pk, at in apps.get_model("cases", model).objects.filter(pk__in=pks).values_list("pk", time):
            if at is not None:
                out[f"{kind}:{pk}"] = at
    return out


# Records whose own date can be earlier than the action that changes them.
FACT_TIMES = {"finding": ("Finding", "recorded_at"), "suspension": ("Suspension", "ordered_at")}
# An action's records are dated before its event, in its transaction: a day's margin covers them.
MARGIN = datetime.timedelta(days=1)


def refresh(campaign: Any) -> None:
    """Bring the tallies up to date before a form of `campaign` is read: the campaign counted from
    scratch if its dates are not those tallied, then the marked months of every tallied campaign."""
    state, change = global_apps.get_model("oversight", "FormState"), global_apps.get_model("oversight", "FormChange")
    current = state.objects.filter(campaign_id=campaign.pk).values_list("signature", flat=True).first()
    if current == signature(campaign) and not change.objects.exists():
        return
    with transaction.atomic():
        _lock()
        current = state.objects.filter(campaign_id=campaign.pk).values_list("signature", flat=True).first()
        fresh = set()
        if current != signature(campaign):
            rebuild(campaigns=[campaign])
            fresh.add(campaign.pk)
        marks = list(change.objects.values_list("pk", "region", "at", "fact"))
        if not marks:
            return
        times = _fact_times(global_apps, (m[3] for m in marks if m[3]))
        city = _cities(global_apps)
        earliest: dict[str, datetime.datetime] = {}
        for _pk, region, at, fact in marks:
            moment = min(at - MARGIN, times.get(fact, at))
            c = city.get(region, region)
            earliest[c] = min(earliest.get(c, moment), moment)
        tallied = dict(state.objects.values_list("campaign_id", "signature"))
        for other in global_apps.get_model("cases", "Campaign").objects.filter(pk__in=list(tallied)):
            if other.pk in fresh:
                continue
            if tallied[other.pk] != signature(other):
                state.objects.filter(campaign_id=other.pk).delete()  # counted afresh when next read
                continue
            span = _Months(other)
            by_first: dict[int, set[str]] = defaultdict(set)
            for c, moment in earliest.items():
                by_first[span.index(moment) if moment >= span.since else 0].add(c)
            for first, cities in by_first.items():
                _store(global_apps, other, cities, first)
        _delete(change, [m[0] for m in marks])


def read(region_path: str, month: datetime.date, campaign: Any) -> dict[str, dict[str, tuple]]:
    """form.compute's answer from the tallies: {city: {key: (month, cumulative)}} of the region
    (the province or a city)."""
    refresh(campaign)
    tally = global_apps.get_model("oversight", "FormTally")
    regions = global_apps.get_model("agencies", "Region").objects.filter(path__startswith=region_path)
    rows = (
        tally.objects.filter(campaign_id=campaign.pk, month__lte=month, city__in=regions.values("code"))
        .values("city", "key")
        .annotate(m=Sum(Choose(When(month=month, then="value"), default=Value(Decimal(0)))), c=Sum("new"))
    )
    out: dict[str, dict[str, tuple]] = {}
    for r in rows:
        m, c = r["m"] or Decimal(0), r["c"] or Decimal(0)
        if not (m or c):
            continue
        money = r["key"].split(":")[0] in MONEY
        out.setdefault(r["city"], {})[r["key"]] = (m, c) if money else (int(m), int(c))
    return out


# --- the hook: what the actions mark --------------------------------------------------------------

MARKED = {"record_finding", "order_rectification", "decide_penalty", "transmit", "block_takedown"}
CORRECTIONS = {"correct", "approve_correction", "endorse_correction"}


def _fact(event: Any) -> str | None:
    """What an event changes that the form counts: "" for facts of its own time, "kind:pk" for a
    record of its own date, None for nothing."""
    data = event.data or {}
    if event.action in MARKED:
        return ""
    if event.action == "open":
        case = event.case if type(event).case.is_cached(event) else None
        return "" if case is None or case.party_kind == PartyKind.INTERMEDIARY else None
    if event.action == "serve_decision" and data.get("suspension"):
        return f"suspension:{data['suspension']}"
    if event.action in CORRECTIONS and data.get("target") == "finding" and data.get("field") == "kind":
        return f"finding:{data.get('id')}"
    return None


def note_changes(events: list[Any]) -> None:
    """cases.events' hook: one INSERT of marks when some events change the form's facts, else nothing."""
    marked = [(e, f) for e in events if (f := _fact(e)) is not None]
    if not marked:
        return
    cached = {e.case_id: e.case.region_id for e, _f in marked if type(e).case.is_cached(e)}
    missing = {e.case_id for e, _f in marked} - set(cached)
    if missing:
        cached |= dict(
            global_apps.get_model("cases", "Case").objects.filter(pk__in=missing).values_list("pk", "region_id")
        )
    change = global_apps.get_model("oversight", "FormChange")
    change.objects.bulk_create([change(region=cached[e.case_id], at=e.at, fact=f) for e, f in marked], batch_size=2000)

"""Legal periods and the working-day calendar (LEGAL.md §1), for every app that counts time.

Day periods: the day of the event is not counted; the period ends at 24:00 Asia/Shanghai of its
last day, and a last day that is a rest day or a holiday moves to the first working day after it
(民法典 第203条; for criminal-procedure periods 刑事诉讼法 第105条). Days inside the period are not
skipped. Month periods end on the corresponding day of the last month, or on its last day when it
has none (民法典 第202条), and move the same way. Hour periods are exact (no extension). A rule may
count working days instead (行政处罚法 第85条: that law's 二日、三日、五日、七日).

A working day is Monday–Friday unless the State Council's arrangement for the year makes it a
holiday, plus the adjusted working weekends (调休). The arrangements come from the maintained
`chinesecalendar` package (2004 to its latest release) and from rows an administrator enters from
a newly published notice, which win day by day (workflows.models.CalendarDay; the workflows app
installs them here). A year in neither source is not silently counted Monday–Friday: it is
counted so, logged, and named by `missing_years`, which a system check and the sweep report.
"""

import calendar as month_calendar
import datetime
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as official
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

LEGAL_TZ = ZoneInfo("Asia/Shanghai")

# The years the package's State Council arrangements cover (2004 … its latest release).
PACKAGE_YEARS = range(min(official.holidays).year, max(official.holidays).year + 1)


@dataclass(frozen=True)
class Overrides:
    """Arrangements entered by hand: working (True) or not (False) per day, and the years entered."""

    days: dict[datetime.date, bool]
    years: frozenset[int]


NO_OVERRIDES = Overrides({}, frozenset())
_loader: Callable[[], Overrides] = lambda: NO_OVERRIDES  # noqa: E731 - replaced by install_overrides
_cache: tuple[float, Overrides] | None = None
_lock = threading.Lock()
_warned: set[int] = set()
# Entered arrangements are read again after this many seconds (other processes may have saved one).
OVERRIDES_TTL = 60.0


def install_overrides(loader: Callable[[], Overrides]) -> None:
    """Where entered arrangements come from (the workflows app installs its CalendarDay rows)."""
    global _loader
    _loader = loader
    forget_overrides()


def forget_overrides() -> None:
    """Read the entered arrangements again at the next question (after one is saved)."""
    global _cache
    with _lock:
        _cache = None


def overrides() -> Overrides:
    global _cache
    with _lock:
        if _cache is None or time.monotonic() - _cache[0] > OVERRIDES_TTL:
            _cache = (time.monotonic(), _loader())
        return _cache[1]


def has_arrangement(year: int) -> bool:
    """The State Council's arrangement for `year` is known (from the package or entered)."""
    return year in PACKAGE_YEARS or year in overrides().years


def missing_years(years: Iterable[int]) -> list[int]:
    return sorted({y for y in years if not has_arrangement(y)})


def is_working_day(day: datetime.date) -> bool:
    entered = overrides()
    if day in entered.days:
        return entered.days[day]
    if day.year in PACKAGE_YEARS:
        return bool(chinese_calendar.is_workday(day))
    if day.year not in entered.years and day.year not in _warned:
        _warned.add(day.year)
        logger.warning(
            "No holiday arrangement for %s: its days are counted Monday to Friday. "
            "Enter the State Council's notice for that year in the admin (calendar years and days).",
            day.year,
        )
    return day.weekday() < 5


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The corresponding day `months` later, or that month's last day (民法典 第202条)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


UNITS = ("days", "working_days", "hours", "months")


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # one of UNITS

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown period unit {self.unit!r}")

    def __str__(self) -> str:
        """The period in the reader's language: "3日" / "3 days"."""
        words = {
            "days": ngettext("%(n)d day", "%(n)d days", self.amount),
            "working_days": ngettext("%(n)d working day", "%(n)d working days", self.amount),
            "hours": ngettext("%(n)d hour", "%(n)d hours", self.amount),
            "months": ngettext("%(n)d month", "%(n)d months", self.amount),
        }
        return words[self.unit] % {"n": self.amount}


def end_of_day(day: datetime.date) -> datetime.datetime:
    """24:00 of `day` in Asia/Shanghai, i.e. the first instant of the next day."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=LEGAL_TZ)


def last_day(day: datetime.date, period: Period) -> datetime.date:
    """The last day of a day, working-day or month period counted from the event on `day`."""
    if period.unit == "days":
        return next_working_day(day + datetime.timedelta(days=period.amount))
    if period.unit == "months":
        return next_working_day(add_months(day, period.amount))
    if period.unit == "working_days":
        counted = 0
        while counted < period.amount:
            day += datetime.timedelta(days=1)
            counted += is_working_day(day)
        return day
    raise ValueError(f"a {period.unit} period has no last day")


def due_after(event_at: datetime.datetime, period: Period) -> datetime.datetime:
    """When a period that starts with `event_at` runs out."""
    if period.unit == "hours":
        return event_at + datetime.timedelta(hours=period.amount)
    return end_of_day(last_day(event_at.astimezone(LEGAL_TZ).date(), period))


def due_after_date(day: datetime.date, period: Period) -> datetime.datetime:
    """A period counted from a date (e.g. fifteen days after a decision was served)."""
    return due_after(datetime.datetime.combine(day, datetime.time(12), tzinfo=LEGAL_TZ), period)


def legal_time(moment: datetime.datetime, *, chinese: bool = False) -> str:
    """A due time as the law reads it: a period that ends at midnight ends at 24:00 of its last day
    ("2018-10-08 24:00", "2018年10月8日24时"), not at 00:00 of the next."""
    local = moment.astimezone(LEGAL_TZ)
    day, hour, minute = local.date(), local.hour, local.minute
    if (hour, minute, local.second) == (0, 0, 0):
        day, hour = day - datetime.timedelta(days=1), 24
    if chinese:
        return f"{day.year}年{day.month}月{day.day}日{hour}时" + (f"{minute}分" if minute else "")
    return f"{day.isoformat()} {hour:02d}:{minute:02d}"


# --- Deadlines as the pages and the messages show them (issue 18) -------------------------------
# A date, never a countdown: "12月4日24时前" / "by 24:00 on 4 Dec", and the time left in days
# counted by the calendar of Asia/Shanghai ("还剩 3 天", "今日届满", "已超期 2 天").

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def due_day(moment: datetime.datetime) -> datetime.date:
    """The local day a due time belongs to: a period ending at midnight ends on the day before
    (24:00 of its last day), an hour period on the day of its last hour."""
    local = moment.astimezone(LEGAL_TZ)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return local.date() - datetime.timedelta(days=1)
    return local.date()


def deadline_text(moment: datetime.datetime, *, chinese: bool, today: datetime.date | None = None) -> str:
    """The deadline as the law writes it, in local time: "12月4日24时前" / "by 24:00 on 4 Dec";
    the year is named when it is not the year of `today` (default: today in Asia/Shanghai)."""
    local = moment.astimezone(LEGAL_TZ)
    day = due_day(moment)
    hour, minute = (24, 0) if day != local.date() else (local.hour, local.minute)
    today = today or datetime.datetime.now(LEGAL_TZ).date()
    same_year = day.year == today.year
    if chinese:
        date = ("" if same_year else f"{day.year}年") + f"{day.month}月{day.day}日"
        return f"{date}{hour}时" + (f"{minute}分" if minute else "") + "前"
    date = f"{day.day} {_MONTHS[day.month - 1]}" + ("" if same_year else f" {day.year}")
    return f"by {hour:02d}:{minute:02d} on {date}"


def days_left(moment: datetime.datetime, now: datetime.datetime) -> int:
    """Whole calendar days from today to the due day (Asia/Shanghai): 0 on the last day itself,
    negative once the due time has passed (-1 the day after a period's last day). Reached but on
    its own day (an hour period whose hour has passed): still 0, and time_left says "past due"."""
    return (due_day(moment) - now.astimezone(LEGAL_TZ).date()).days


def time_left(moment: datetime.datetime, now: datetime.datetime) -> str:
    """The time left in days, in the active language: "还剩 3 天" / "3 days left", "今日届满" /
    "ends today", "已超期 2 天" / "2 days overdue" — never hours, minutes and seconds."""
    days = days_left(moment, now)
    if moment > now:
        if days <= 0:
            return str(_("ends today"))
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    late = max(-days, 0)
    if late == 0:
        return str(_("past due"))
    return ngettext("%(n)d day overdue", "%(n)d days overdue", late) % {"n": late}


def prior_working_day_start(moment: datetime.datetime) -> datetime.datetime:
    """The start (00:00 Asia/Shanghai) of the last working day before the deadline's due day:
    from then on a reminder is due (one working day before the deadline)."""
    day = due_day(moment) - datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LEGAL_TZ)


def reminders_due_until(now: datetime.datetime) -> datetime.datetime:
    """The latest due time whose reminder is due at `now`: a deadline is reminded from the start of
    the last working day before its due day, i.e. when its due day is at the latest the first
    working day after today — so every due time up to 24:00 of that day."""
    day = now.astimezone(LEGAL_TZ).date() + datetime.timedelta(days=1)
    return end_of_day(next_working_day(day))

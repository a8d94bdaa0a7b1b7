"""Legal day counting (LEGAL.md §1) at its boundaries, on the State Council's arrangements."""

import datetime
import logging

import pytest
from django.core.management import call_command

from core import calendar
from core.calendar import LEGAL_TZ, Period, add_months, due_after, due_after_date, is_working_day, legal_time
from workflows.checks import holiday_arrangements
from workflows.models import CalendarDay, CalendarYear, Deadline

CN = LEGAL_TZ
# The entered arrangements live in the database; every answer reads them.
pytestmark = pytest.mark.django_db


def at(*args):
    return datetime.datetime(*args, tzinfo=CN)


def test_the_event_day_is_not_counted_and_days_end_at_midnight_shanghai():
    # Monday 2018-09-10: three days end with Thursday the 13th, at 24:00.
    assert due_after(at(2018, 9, 10, 10, 0), Period(3, "days")) == at(2018, 9, 14, 0, 0)
    assert due_after(at(2018, 9, 10, 23, 59), Period(3, "days")) == at(2018, 9, 14, 0, 0)
    # The last day is the adjusted working Saturday 2018-09-29: it stays.
    assert due_after(at(2018, 9, 28, 0, 0), Period(1, "days")) == at(2018, 9, 30, 0, 0)


def test_a_last_day_on_a_holiday_moves_to_the_first_working_day_after_it():
    """民法典 第203条, 刑事诉讼法 第105条 (LEGAL.md §1): only the last day moves."""
    # 2018-09-28 + 3 days = 10-01, National Day: the period ends at 24:00 on Monday 10-08.
    assert due_after(at(2018, 9, 28, 10, 0), Period(3, "days")) == at(2018, 10, 9, 0, 0)
    # The rejection of the issue: 2018-09-30 23:59 + 3 days = 10-03 → 10-08 24:00, not 10-04 00:00.
    assert due_after(at(2018, 9, 30, 23, 59), Period(3, "days")) == at(2018, 10, 9, 0, 0)
    # A last day on an ordinary Sunday moves to Monday: 2018-09-13 (Thu) + 3 = Sunday the 16th.
    assert due_after(at(2018, 9, 13, 9, 0), Period(3, "days")) == at(2018, 9, 18, 0, 0)
    # A Saturday with work (调休) is a working day: 2018-09-26 + 3 = Saturday the 29th stays.
    assert due_after(at(2018, 9, 26, 9, 0), Period(3, "days")) == at(2018, 9, 30, 0, 0)


def test_the_reference_dates_of_the_issue():
    # A 3-day step from Friday 2026-02-13 18:00 ends on 02-16, inside the Spring Festival (02-15 … 02-23),
    # so at 24:00 of Tuesday 02-24, the first working day after it.
    assert due_after(at(2026, 2, 13, 18, 0), Period(3, "days")) == at(2026, 2, 25, 0, 0)
    # Counted in working days from Friday 2018-12-28 10:00: Saturday 12-29 was worked (1), 12-30 … 01-01
    # were the New Year holiday, 01-02 (2) and 01-03 (3): the period ends at 2019-01-04 00:00.
    assert due_after(at(2018, 12, 28, 10, 0), Period(3, "working_days")) == at(2019, 1, 4, 0, 0)


def test_the_local_date_decides_not_the_utc_date():
    utc_evening = datetime.datetime(2018, 9, 10, 17, 0, tzinfo=datetime.UTC)  # 01:00 on the 11th in Guangzhou
    assert due_after(utc_evening, Period(3, "days")) == at(2018, 9, 15, 0, 0)


def test_hours_are_exact():
    assert due_after(at(2018, 9, 28, 23, 30), Period(24, "hours")) == at(2018, 9, 29, 23, 30)
    # Holidays do not stop hours.
    assert due_after(at(2018, 9, 30, 16, 0), Period(24, "hours")) == at(2018, 10, 1, 16, 0)


def test_months_end_on_the_corresponding_day_or_the_last_day_of_the_month():
    """民法典 第202条, with the holiday rule of 第203条."""
    assert add_months(datetime.date(2018, 8, 31), 6) == datetime.date(2019, 2, 28)
    assert add_months(datetime.date(2019, 8, 31), 6) == datetime.date(2020, 2, 29)
    assert add_months(datetime.date(2018, 9, 16), 6) == datetime.date(2019, 3, 16)
    # 2019-03-16 is a Saturday: six months from 2018-09-16 end at 24:00 on Monday 2019-03-18.
    assert due_after_date(datetime.date(2018, 9, 16), Period(6, "months")) == at(2019, 3, 19, 0, 0)


@pytest.mark.parametrize(
    "day, working, why",
    [
        ("2018-10-08", True, "the Monday after National Day"),
        ("2018-12-29", True, "a Saturday worked for the New Year holiday"),
        ("2018-12-31", False, "New Year holiday"),
        ("2019-01-01", False, "New Year's Day 2019 (国办发明电〔2018〕15号)"),
        ("2019-02-02", True, "a Saturday worked for the Spring Festival 2019"),
        ("2019-02-05", False, "Spring Festival 2019"),
        ("2019-02-08", False, "Spring Festival 2019"),
        ("2019-02-11", True, "the Monday after the Spring Festival 2019"),
        ("2021-09-18", True, "a Saturday worked for the Mid-Autumn Festival 2021"),
        ("2026-01-04", True, "a Sunday worked for the New Year holiday 2026"),
        ("2026-02-14", True, "a Saturday worked for the Spring Festival 2026"),
        ("2026-02-16", False, "Spring Festival 2026"),
        ("2026-10-07", False, "National Day 2026"),
        ("2026-10-10", True, "a Saturday worked for National Day 2026"),
        ("2026-11-28", False, "an ordinary Saturday"),
        ("2026-11-27", True, "an ordinary Friday"),
    ],
)
def test_the_state_council_arrangements(day, working, why):
    assert is_working_day(datetime.date.fromisoformat(day)) is working, why


def test_working_days_around_national_day_2018():
    # 29th and 30th were adjusted working weekend days; 1–7 October the holiday.
    assert not any(is_working_day(datetime.date(2018, 10, d)) for d in range(1, 8))
    assert due_after(at(2018, 9, 28, 16, 0), Period(3, "working_days")) == at(2018, 10, 9, 0, 0)
    assert due_after(at(2018, 9, 28, 16, 0), Period(2, "working_days")) == at(2018, 10, 1, 0, 0)


def test_a_due_time_reads_as_24_00_of_its_last_day():
    assert legal_time(at(2018, 10, 9, 0, 0)) == "2018-10-08 24:00"
    assert legal_time(at(2018, 10, 9, 0, 0), chinese=True) == "2018年10月8日24时"
    assert legal_time(at(2018, 9, 29, 23, 30)) == "2018-09-29 23:30"


def test_a_rule_can_switch_to_working_days(settings):
    from workflows.steps import period_for

    assert period_for("decide") == Period(3, "days")
    settings.WORKING_DAY_STEPS = ["decide"]
    assert period_for("decide") == Period(3, "working_days")
    assert period_for("transmit") == Period(24, "hours")


def test_a_newly_published_year_is_entered_and_wins_over_the_package(caplog):
    """A year after the package's last (2027 here) is counted Monday–Friday, said so in the log and
    by the system check, until its notice is entered; entered days also correct a packaged year."""
    assert 2027 not in calendar.PACKAGE_YEARS
    with caplog.at_level(logging.WARNING, logger="core.calendar"):
        calendar._warned.discard(2027)
        assert is_working_day(datetime.date(2027, 2, 8))  # a Monday, without data
    assert "No holiday arrangement for 2027" in caplog.text

    year = CalendarYear.objects.create(year=2027, notice="国办发明电〔2026〕99号（示例）")
    CalendarDay.objects.create(year=year, day=datetime.date(2027, 2, 8), working=False, name="春节")
    CalendarDay.objects.create(year=year, day=datetime.date(2027, 2, 20), working=True, name="春节调休")
    assert not is_working_day(datetime.date(2027, 2, 8))
    assert is_working_day(datetime.date(2027, 2, 20))  # a Saturday worked
    assert calendar.has_arrangement(2027)
    # Friday 2027-02-05 + 3 days = Monday 02-08, now a holiday: the period ends with Tuesday 02-09.
    assert due_after(at(2027, 2, 5, 9, 0), Period(3, "days")) == at(2027, 2, 10, 0, 0)

    packaged = CalendarYear.objects.create(year=2018, notice="更正")
    CalendarDay.objects.create(year=packaged, day=datetime.date(2018, 11, 5), working=False, name="测试")
    assert not is_working_day(datetime.date(2018, 11, 5))


def test_the_system_check_names_a_year_a_running_deadline_needs(time_machine):
    from tests.workflows.test_deadlines import proposed

    time_machine.move_to(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=CN), tick=False)
    proposed()
    assert Deadline.objects.filter(met_at__isnull=True, due_at__year=2027).exists()
    warnings = holiday_arrangements(databases=["default"])
    assert [w.id for w in warnings] == ["workflows.W002"] and "2027" in warnings[0].msg
    CalendarYear.objects.create(year=2027, notice="国办发明电〔2026〕99号（示例）")
    assert holiday_arrangements(databases=["default"]) == []
    assert holiday_arrangements() == []  # like Django's own, only when a database is named


def test_migrate_runs_the_check(capsys, time_machine):
    """`make run` migrates: the warning is in front of whoever starts the server."""
    time_machine.move_to(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=CN), tick=False)
    call_command("check", "--database", "default")
    assert "workflows.W002" in capsys.readouterr().err

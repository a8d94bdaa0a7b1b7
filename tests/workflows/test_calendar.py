"""Legal day counting (DESIGN §3) at its boundaries."""

import datetime

import pytest

from workflows.calendar import LEGAL_TZ, Period, due_after, due_after_date
from workflows.holidays import is_working_day

CN = LEGAL_TZ


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


def test_the_local_date_decides_not_the_utc_date():
    utc_evening = datetime.datetime(2018, 9, 10, 17, 0, tzinfo=datetime.UTC)  # 01:00 on the 11th in Guangzhou
    assert due_after(utc_evening, Period(3, "days")) == at(2018, 9, 15, 0, 0)


def test_hours_are_exact():
    assert due_after(at(2018, 9, 28, 23, 30), Period(24, "hours")) == at(2018, 9, 29, 23, 30)
    assert due_after(at(2018, 9, 30, 16, 0), Period(24, "hours")) == at(
        2018, 10, 1, 16, 0
    )  # holidays do not stop hours


def test_a_proposal_on_2018_09_28_before_national_day_in_working_days():
    # 29th and 30th were adjusted working weekend days; 1–7 October the holiday.
    assert is_working_day(datetime.date(2018, 9, 29)) and is_working_day(datetime.date(2018, 9, 30))
    assert not any(is_working_day(datetime.date(2018, 10, d)) for d in range(1, 8))
    assert due_after(at(2018, 9, 28, 16, 0), Period(3, "working_days")) == at(2018, 10, 9, 0, 0)
    assert due_after(at(2018, 9, 28, 16, 0), Period(2, "working_days")) == at(2018, 10, 1, 0, 0)


def test_the_2026_spring_festival():
    assert is_working_day(datetime.date(2026, 2, 14))  # Saturday, adjusted
    assert not is_working_day(datetime.date(2026, 2, 16))
    assert due_after(at(2026, 2, 13, 9, 0), Period(3, "working_days")) == at(2026, 2, 26, 0, 0)
    # 2-16 falls in the Spring Festival (2-15 … 2-23): the period ends with Tuesday 2-24, 8 days on.
    assert due_after(at(2026, 2, 13, 9, 0), Period(3, "days")) == at(2026, 2, 25, 0, 0)


@pytest.mark.parametrize(
    "day, working",
    [
        ("2018-10-08", True),
        ("2018-12-29", True),
        ("2018-12-31", False),
        ("2026-01-04", True),
        ("2026-10-10", True),
        ("2026-10-08", True),
        ("2026-10-07", False),
        ("2026-11-28", False),
        ("2026-11-27", True),
    ],
)
def test_the_holiday_table(day, working):
    assert is_working_day(datetime.date.fromisoformat(day)) is working


def test_counting_from_a_date():
    assert due_after_date(datetime.date(2018, 9, 10), Period(4, "days")) == at(2018, 9, 15, 0, 0)
    assert due_after_date(datetime.date(2018, 9, 10), Period(5, "days")) == at(2018, 9, 18, 0, 0)  # Sat → Mon
    assert due_after_date(datetime.date(2018, 9, 28), Period(5, "days")) == at(2018, 10, 9, 0, 0)  # 10-03 → 10-08


def test_a_rule_can_switch_to_working_days(settings):
    from workflows.steps import period_for

    assert period_for("decide") == Period(3, "days")
    settings.WORKING_DAY_STEPS = ["decide"]
    assert period_for("decide") == Period(3, "working_days")
    assert period_for("transmit") == Period(24, "hours")

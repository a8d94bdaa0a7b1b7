"""The public-holiday calendar (国务院办公厅 notices), as data.

`OFF`: public holidays, including weekends folded into them; `ON`: adjusted working weekends
(调休上班). Any other Saturday or Sunday is a rest day; any other weekday a working day.
Add a year by adding its two lists.
"""

import datetime


def _days(*spans: str) -> set[datetime.date]:
    out = set()
    for span in spans:
        first, _, last = span.partition("/")
        day, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last or first)
        while day <= end:
            out.add(day)
            day += datetime.timedelta(days=1)
    return out


# 国办发明电〔2017〕12号 (2018), and 元旦 2019 (国办发明电〔2018〕15号).
_OFF_2018 = _days(
    "2018-01-01",
    "2018-02-15/2018-02-21",
    "2018-04-05/2018-04-07",
    "2018-04-29/2018-05-01",
    "2018-06-18",
    "2018-09-24",
    "2018-10-01/2018-10-07",
    "2018-12-30/2018-12-31",
)
_ON_2018 = _days("2018-02-11", "2018-02-24", "2018-04-08", "2018-04-28", "2018-09-29", "2018-09-30", "2018-12-29")

# 国办发明电〔2025〕7号 (2026).
_OFF_2026 = _days(
    "2026-01-01/2026-01-03",
    "2026-02-15/2026-02-23",
    "2026-04-04/2026-04-06",
    "2026-05-01/2026-05-05",
    "2026-06-19/2026-06-21",
    "2026-09-25/2026-09-27",
    "2026-10-01/2026-10-07",
)
_ON_2026 = _days("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")

OFF: frozenset[datetime.date] = frozenset(_OFF_2018 | _OFF_2026)
ON: frozenset[datetime.date] = frozenset(_ON_2018 | _ON_2026)


def is_working_day(day: datetime.date) -> bool:
    if day in ON:
        return True
    if day in OFF:
        return False
    return day.weekday() < 5

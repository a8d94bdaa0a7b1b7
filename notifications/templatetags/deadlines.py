"""Deadlines as the pages show them (issue 18): a local date and time as the law writes it, and the
time left in days — never a countdown to the second.

    {% load deadlines %}
    {{ d.due_at|due_by }}     12月4日24时前 / by 24:00 on 4 Dec
    {{ d.due_at|time_left }}  还剩 3 天 / 今日届满 / 已超期 2 天
"""

import datetime

from django import template
from django.utils import timezone, translation

from core import calendar

register = template.Library()


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


@register.filter
def due_by(value: datetime.datetime | None) -> str:
    return calendar.deadline_text(value, chinese=_chinese()) if value else ""


@register.filter
def time_left(value: datetime.datetime | None) -> str:
    return calendar.time_left(value, timezone.now()) if value else ""

"""The case timeline as an official record (XLSX and PDF): events by their titles, actors by name,
statuses and data in Chinese words, measures by their papers, and every time cell whole."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases import actions
from tests.factories import demo_user
from tests.workflows.helpers import referable_case
from tests.workflows.test_documents import text_lines
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@pytest.fixture
def case():
    case, person = referable_case(name="张伟")
    officer = demo_user("guangzhou.officer1")
    deadline = actions.local_today() + datetime.timedelta(days=10)
    actions.order_rectification(case, actor=officer, deadline=deadline, items="清退无证人员")
    referrals.propose_referral(case, actor=officer, persons=[person.pk], report="持伪造操作证上岗")
    return case


def test_the_timeline_xlsx_speaks_in_words_names_people_and_measures(api, case):
    r = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/timeline.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True))
    assert rows[0][:8] == ("#", "时间", "操作", "操作人", "机关", "原状态", "新状态", "内容")
    events = {row[2]: row for row in rows[1:]}
    # Titles in Chinese words (whatever the reader's language), never the codes.
    assert {"登记线索", "行政立案", "添加涉案人员", "认定违法事实", "责令限期整改"} <= set(events), set(events)
    for row in rows[1:]:
        text = " ".join(str(cell) for cell in row[2:8] if cell is not None)
        assert not SNAKE.search(text), row
        assert "{" not in text and "=" not in text and "'" not in text, row
    officer = demo_user("guangzhou.officer1")
    assert events["登记线索"][3] == officer.get_full_name() and "guangzhou." not in str(events["登记线索"][3])
    # The statuses moved between, in words.
    assert (events["行政立案"][5], events["行政立案"][6]) == ("线索", "已行政立案"), events["行政立案"]
    # The data: the handlers by name, the rectification order by its date and deadline, not its id.
    officer2 = demo_user("guangzhou.officer2")
    assert f"承办人：{officer.get_full_name()}、{officer2.get_full_name()}" in events["行政立案"][7]
    order = case.rectifications.get()
    rectification = events["责令限期整改"][7]
    assert f"{order.deadline:%Y-%m-%d}" in rectification and "清退无证人员" in rectification
    assert f"：{order.pk}；" not in rectification
    # The persons proposed for referral by name, not by their ids.
    assert any("涉案人员：张伟" in (row[7] or "") for row in rows[1:]), [row[7] for row in rows[1:]]


def test_the_timeline_pdf_keeps_each_time_whole_on_its_line(api, case):
    body = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/timeline.pdf").content
    lines = [text for text, _x0, _x1, _w in text_lines(body)]

    for event in case.events.all():
        shown = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")
        # Whole on one line (the cells beside it may share the line of text).
        assert any(shown in line for line in lines), (shown, [line for line in lines if line[:4].isdigit()][:5])
    assert any("行政立案" in line for line in lines)

"""Issue 17 §9: a NUL or another control character in the path, a query parameter or a web form is
refused with 400 that names the field — anonymous callers included — and never reaches a view or
the database (PostgreSQL refuses NUL in text: it answered 500)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

API_QUERIES = [
    ("/api/v1/cases/?q=%00", "q"),
    ("/api/v1/cases/?status=open%00", "status"),
    ("/api/v1/referrals/?status=%00", "status"),
    ("/api/v1/reports/monthly/?region=440100%00&month=2018-09", "region"),
    ("/api/v1/reports/returns/?campaign=gd-2018-cert%00", "campaign"),
    ("/api/v1/risks/unreferred-findings/?region=%01", "region"),
]


@pytest.mark.parametrize(("url", "field"), API_QUERIES)
def test_the_api_refuses_control_characters_in_a_query_with_the_field_named(api, url, field):
    r = api("gd.supervisor").get(url)
    assert r.status_code == 400, (url, r.status_code)
    assert r.json()[field] == ["查询或表单中不能含有控制字符：请删除后重试。"]


@pytest.mark.parametrize(
    "url",
    [
        "/public/tip/track/?code=AB%00CD",
        "/public/check/?number=%00",
        "/public/typical/?page=%00",
        "/api/v1/cases/?q=%0B",  # a vertical tab: not a NUL, still no place in a query
    ],
)
def test_anonymous_callers_get_400_not_500(client, url):
    r = client.get(url)
    assert r.status_code == 400
    assert "控制字符" in (r.json()["q"][0] if url.startswith("/api/") else r.content.decode())


def test_a_web_form_with_a_nul_is_refused_and_nothing_is_saved(client):
    from certificates.models import Tip

    before = Tip.objects.count()
    r = client.post("/public/tip/", {"city": "440100\x00", "what": "某公司员工持假证上岗", "party_kind": "employer"})
    assert r.status_code == 400 and Tip.objects.count() == before
    r = client.post("/public/tip/", {"city": "440100", "what": "持假证\x00上岗", "party_kind": "employer"})
    assert r.status_code == 400 and Tip.objects.count() == before


def test_line_breaks_and_tabs_in_a_form_are_text_not_control(client):
    from certificates.models import Tip

    before = Tip.objects.count()
    r = client.post("/public/tip/", {"city": "440100", "what": "某公司\r\n员工\t持假证上岗", "party_kind": "employer"})
    assert r.status_code in (200, 302) and Tip.objects.count() == before + 1


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/certificates/verify/"])
def test_json_nested_too_deeply_is_a_400_not_a_500(client, path):
    body = "[" * 5000 + "]" * 5000
    r = client.post(path, body, content_type="application/json")
    assert r.status_code in (400, 401), r.content  # 401 first where a login is needed
    if r.status_code == 400:
        assert "nested too deeply" in r.json()["detail"] or "嵌套" in r.json()["detail"]


def test_a_lone_surrogate_in_json_is_a_400_not_a_500(api):
    for body in ('{"items": [{"number": "\\ud800", "name": "x"}]}', '{"items": [{"number": "T1", "name": "\\udfff"}]}'):
        r = api("guangzhou.police").post("/api/v1/certificates/verify/", body, content_type="application/json")
        assert r.status_code == 400, r.content
    r = api("guangzhou.officer1").post(
        "/api/v1/auth/token/", '{"username": "\\ud800", "password": "x"}', content_type="application/json"
    )
    assert r.status_code == 400, r.content
    anonymous = Client().post("/api/v1/auth/token/", "[" * 5000 + "]" * 5000, content_type="application/json")
    assert anonymous.status_code == 400 and "traceback" not in anonymous.content.decode().lower()

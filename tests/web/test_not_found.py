"""A page that is not there answers with the site's own 404 page, in Chinese with a way back — with
DEBUG on as off (`make run` serves DEBUG): never Django's technical page, which lists every URL
pattern. The API keeps its JSON 404."""

import pytest

from tests.factories import demo_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/cases/case/999999/", "/referrals/referral/999999/", "/nonexistent/", "/public/"])
def test_a_missing_page_is_the_sites_404_page(client, settings, debug, path):
    settings.DEBUG = debug
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.get(path)
    page = r.content.decode()
    assert r.status_code == 404
    assert 'data-testid="not-found"' in page and "页面不存在" in page
    assert 'href="/tasks/mine/"' in page  # the way back: the officer's start page
    assert "URLconf" not in page and "api/v1/" not in page


def test_a_visitor_is_offered_the_login(client, settings):
    settings.DEBUG = True
    page = client.get("/public/nothing/").content.decode()
    assert "页面不存在" in page and 'href="/accounts/login/"' in page


def test_the_api_keeps_its_json_404(client, settings):
    settings.DEBUG = True
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.get("/api/v1/cases/999999/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")

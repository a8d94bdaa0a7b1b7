"""Tips (issue 18): the tipster's contact for the officers handling the tip only, their answers on
the tracking page, tracking codes in any case, the rate limit, and the public pages' frame."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import RequestFactory

from cases import actions as case_actions
from certificates import actions
from certificates.models import Tip, TipReply
from demo.sample_cases import make_id_number
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_limits(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


def send_tip(client, contact=PHONE) -> Tip:
    r = client.post(
        "/public/tip/",
        {"what": "某工地电焊工持假证上岗", "city": "440100", "party_kind": "employer", "contact": contact},
    )
    assert r.status_code == 302 and r["Location"] == "/public/tip/?sent=1", r.content.decode()[:300]
    return Tip.objects.latest("pk")


def test_the_page_after_the_tip_shows_its_code_and_a_reload_sends_nothing_again(client):
    tip = send_tip(client)
    before = Tip.objects.count()
    for _ in range(2):
        page = client.get("/public/tip/?sent=1").content.decode()
        assert tip.code in page
    assert Tip.objects.count() == before
    # Another browser (no session) asking for the page after a tip gets the empty form.
    client.cookies.clear()
    assert tip.code not in client.get("/public/tip/?sent=1").content.decode()


def opened(tip: Tip, handlers=("guangzhou.officer1", "guangzhou.officer2")) -> Tip:
    case_actions.open_case(tip.case, actor=demo_user("guangzhou.head"), handlers=list(handlers))
    return Tip.objects.select_related("case").get(pk=tip.pk)


def desk(client, username, tip, **kwargs):
    client.force_login(demo_user(username))
    return client.get(f"/tips/{tip.pk}/", **kwargs)


def shown_contact(page: str) -> tuple[str, str]:
    m = re.search(r'data-testid="tip-contact" data-full="(\d)">([^<]*)<', page)
    assert m, page[:2000]
    return m.group(1), m.group(2)


# --- the contact: in full to the handlers, masked to everyone else --------------------------


@pytest.mark.parametrize(
    ("username", "status", "full"),
    [
        ("guangzhou.officer1", 200, True),  # a handler
        ("guangzhou.officer2", 200, False),  # an officer of the agency, not a handler of this tip
        ("guangzhou.head", 200, False),  # the head: answers, but does not call the tipster
        ("guangzhou.supervisor", 200, False),
        ("gd.supervisor", 200, False),
        ("guangzhou.police", 404, None),  # police see no case that was not sent to them
        ("shenzhen.officer1", 404, None),
        ("guangzhou.market", 404, None),
    ],
)
def test_the_contact_is_shown_to_the_handlers_only(client, username, status, full):
    tip = opened(send_tip(client), handlers=("guangzhou.officer1", "guangzhou.head"))
    if username == "guangzhou.head":  # the head as a non-handler: another tip, opened by the officers
        tip = opened(send_tip(client))
    r = desk(client, username, tip)
    assert r.status_code == status
    if status != 200:
        assert PHONE not in r.content.decode()
        return
    page = r.content.decode()
    flag, contact = shown_contact(page)
    if full:
        assert (flag, contact) == ("1", PHONE)
    else:
        assert (flag, contact) == ("0", "138****5678") and PHONE not in page


def test_a_police_officer_sent_the_case_sees_the_contact_masked(client):
    case, person = referable_case()
    tip = Tip.objects.create(code=actions.new_tracking_code(), case=case, what="举报", contact=PHONE)
    officer, head = demo_user("guangzhou.officer1"), demo_user("guangzhou.head")
    referral = referrals.propose_referral(case, actor=officer, persons=[person.pk], report="伪造证件出售")
    referrals.transmit(referrals.approve(referral, actor=head), actor=officer, documents=DOCS)
    r = desk(client, "guangzhou.police", tip)
    assert r.status_code == 200 and shown_contact(r.content.decode()) == ("0", "138****5678")


def test_a_lead_not_yet_opened_has_no_handler_who_sees_the_contact(client):
    tip = send_tip(client)
    for username in ("guangzhou.officer1", "guangzhou.head"):
        assert shown_contact(desk(client, username, tip).content.decode()) == ("0", "138****5678")
    client.logout()
    assert client.get(f"/tips/{tip.pk}/").status_code == 302
    assert client.get("/tips/999999/").status_code in (302, 404)


@pytest.mark.parametrize(
    ("contact", "masked"),
    [
        (PHONE, "138****5678"),
        ("020-8765 4321", "020****4321"),
        ("zhang.san@example.com", "z***@example.com"),
        ("王先生", "王**"),
        ("", ""),
    ],
)
def test_mask_contact(contact, masked):
    assert actions.mask_contact(contact) == masked


def test_the_case_page_panel_shows_the_contact_by_the_same_rule(client):
    tip = opened(send_tip(client))
    panel = Template("{% load public_pages %}{% tip_panel case %}")
    for username, expected in (("guangzhou.officer1", PHONE), ("guangzhou.supervisor", "138****5678")):
        request = RequestFactory().get("/")
        request.user = demo_user(username)
        html = panel.render(Context({"request": request, "case": tip.case}))
        assert shown_contact(html)[1] == expected and f"/tips/{tip.pk}/" in html
    other = CaseFactory(status="open")
    request.user = demo_user("guangzhou.officer1")
    assert panel.render(Context({"request": request, "case": other})).strip() == ""


# --- answers: by the handlers (and the head), shown on the tracking page ---------------------


def test_the_handler_answers_and_the_tipster_reads_it_on_the_tracking_page(client):
    tip = opened(send_tip(client))
    identity = make_id_number("440106", datetime.date(1985, 3, 12), 17)
    text = f"您举报的情况已立案调查，涉事人员身份证号{identity}已核实。"
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.post(f"/tips/{tip.pk}/", {"text": text})
    assert r.status_code == 302 and r["Location"] == f"/tips/{tip.pk}/"
    reply = TipReply.objects.get()
    assert (reply.tip, reply.author.username, reply.text) == (tip, "guangzhou.officer1", text)
    assert "您举报的情况已立案调查" in client.get(f"/tips/{tip.pk}/").content.decode()

    client.logout()
    page = client.get(f"/public/tip/track/?code={tip.code}").content.decode()
    assert 'data-state="handling"' in page and "您举报的情况已立案调查" in page
    # Nothing else personal: not who answered, not the contact, not the identity number in the text.
    for secret in ("guangzhou.officer1", demo_user("guangzhou.officer1").get_full_name(), PHONE, identity):
        assert secret not in page
    assert "某工地电焊工" not in page  # nor what was reported


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("guangzhou.officer1", 302),
        ("guangzhou.head", 302),
        ("guangzhou.officer2", 403),  # not a handler of this tip
        ("guangzhou.supervisor", 403),
        ("guangzhou.police", 404),
        ("shenzhen.officer1", 404),
    ],
)
def test_who_may_answer(client, username, status):
    tip = opened(send_tip(client), handlers=("guangzhou.officer1", "guangzhou.head"))
    if username == "guangzhou.head":
        tip = opened(send_tip(client))  # the head answers for the agency without being a handler
    client.force_login(demo_user(username))
    r = client.post(f"/tips/{tip.pk}/", {"text": "已受理"})
    assert r.status_code == status
    assert TipReply.objects.count() == (1 if status == 302 else 0)


def test_an_empty_or_long_answer_is_refused_with_its_reason(client):
    tip = opened(send_tip(client))
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.post(f"/tips/{tip.pk}/", {"text": "   "}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "Write the answer to the tipster." in r.content.decode()
    r = client.post(f"/tips/{tip.pk}/", {"text": "长" * 2001}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "At most 2,000 characters." in r.content.decode()
    assert TipReply.objects.count() == 0


def test_the_tracking_page_shows_only_this_codes_answers(client):
    first, second = opened(send_tip(client)), opened(send_tip(client))
    actions.reply_to_tip(first, "第一条的答复", actor=demo_user("guangzhou.officer1"))
    page = client.get(f"/public/tip/track/?code={second.code}").content.decode()
    assert 'data-state="handling"' in page and "第一条的答复" not in page


# --- tracking codes --------------------------------------------------------------------------


def test_tracking_codes_are_read_in_any_case_and_with_spaces_around(client):
    tip = send_tip(client)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{16}", tip.code), tip.code
    grouped = "-".join(tip.code[i : i + 4] for i in range(0, 16, 4)).lower()  # "gvbv-mjvx-…" as copied
    for typed in (tip.code, tip.code.lower(), f"  {tip.code.lower()} ", tip.code.capitalize(), grouped):
        r = client.get("/public/tip/track/", {"code": typed})
        assert r.status_code == 200 and 'data-state="received"' in r.content.decode(), typed
    assert client.get("/public/tip/track/", {"code": tip.code[:-1]}).status_code == 404


def test_an_older_mixed_case_code_is_found_in_any_case_too(client):
    case = CaseFactory(status="lead")
    Tip.objects.create(code="aB3-x_Yz9QwErT12", case=case, what="举报")
    for typed in ("aB3-x_Yz9QwErT12", "AB3-X_YZ9QWERT12", " ab3-x_yz9qwert12 "):
        assert client.get("/public/tip/track/", {"code": typed}).status_code == 200, typed
    assert client.get("/public/tip/track/", {"code": "AB3-X%YZ9QWERT12"}).status_code == 404  # no wildcard


def test_no_two_codes_differ_by_case_only():
    Tip.objects.create(code="ABCDEFGHJKMNPQRS", case=CaseFactory(), what="举报")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tip.objects.create(code="abcdefghjkmnpqrs", case=CaseFactory(), what="举报")


def test_tracking_lookups_are_rate_limited_per_address_known_code_or_not(client, settings):
    tip = send_tip(client)
    settings.PUBLIC_TRACKS_PER_HOUR = 3
    assert client.get("/public/tip/track/", {"code": "NOSUCHCODE"}).status_code == 404
    assert client.get("/public/tip/track/", {"code": tip.code}).status_code == 200
    assert client.get("/public/tip/track/").status_code == 200  # the empty form is no lookup
    assert client.get("/public/tip/track/", {"code": "NOSUCHCODE2"}).status_code == 404
    # The fourth lookup is refused alike for a real code and an unknown one: no oracle.
    for code in (tip.code, "NOSUCHCODE3"):
        r = client.get("/public/tip/track/", {"code": code})
        assert r.status_code == 429 and 'data-testid="limited"' in r.content.decode()
        assert 'data-state="' not in r.content.decode()
    assert client.get("/public/tip/track/", {"code": tip.code}, REMOTE_ADDR="10.9.8.7").status_code == 200


# --- the public pages' frame and the favicon -------------------------------------------------


def test_the_favicon_answers(client):
    assert client.head("/favicon.ico").status_code == 200
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00" and "max-age" in r["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.parametrize("url", ["/public/check/", "/public/tip/", "/public/tip/track/", "/public/typical/"])
def test_the_public_pages_name_the_authority_and_use_the_static_stylesheet(client, settings, url):
    settings.AUTHORITY_NAME = "某某市应急管理局"
    r = client.get(url)
    page = r.content.decode()
    assert r.status_code == 200
    assert page.count("某某市应急管理局") >= 3  # the title, the header, the footer
    assert re.search(r'<header class="xp-header">.*某某市应急管理局.*</header>', page, re.S)
    assert re.search(r'<footer class="xp-footer">.*某某市应急管理局.*</footer>', page, re.S)
    assert '/static/xianjie/public.css"' in page and 'rel="icon" href="/static/xianjie/favicon.ico"' in page
    assert "<script" not in page and "<style" not in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    # The page's own link in the navigation is marked.
    assert re.search(rf'<a href="{re.escape(url)}" aria-current="page">', page)

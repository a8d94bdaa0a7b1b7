"""Every page of the web application, as every demo role, in Chinese and in English: no code and no
English word on a Chinese page, no raw field name or code on an English one.

One world is built once for the module (a case that went through many kinds of events, a referral
the police accepted, a listing, a closed typical case, a lead, a roster), then each role × language
walks every GET page of config.urls: the URL patterns are read from the resolver, so that a page
added later is walked too (or must be named in SKIPPED with why)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cases import actions, corrections
from cases.referral_rules import REFERRAL_ACTIONS
from cases.rules import CASE_ACTIONS
from certificates.actions import add_evidence
from certificates.models import RosterCheck
from demo.penalties import RECORD
from oversight import actions as oversight
from tests.factories import CaseFactory, demo_user, failed_rectification, fine_of
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

ROLES = [
    "guangzhou.officer1",
    "guangzhou.head",
    "guangzhou.police",
    "guangzhou.police_head",
    "guangzhou.supervisor",
    "gd.supervisor",
    "guangzhou.procurator",
    "guangzhou.cyber",
    "admin",
]
LANGUAGES = ["zh-hans", "en"]

# Patterns not walked, with why.
SKIPPED = {
    "accounts/logout/": "POST only",
    "accounts/token/revoke/": "POST only",
    "accounts/otp/": "the second-factor step of a login in progress",
    "accounts/otp/disable/": "POST only",
    "accounts/reset/<uidb64>/<token>/": "needs a mailed token",
    "admin/login/": "a redirect to the site's login",
    "admin/logout/": "POST only",
    "admin/autocomplete/": "JSON",
    "admin/r/<path:content_type_id>/<path:object_id>/": "a redirect",
    "admin/(?P<url>.*)$": "the admin's catch-all",
    "i18n/setlang/": "POST only",
    "api/schema/": "not a page (OpenAPI YAML)",
    "api/docs/": "Swagger UI, the API's own English",
    "referrals/referral/<int:pk>/chart.svg": "an image (its text is checked inside the referral page)",
    "certificates/roster/<int:pk>/results.xlsx": "a download",
    "certificates/roster/<int:pk>/lead/<int:row>/": "POST only",
    "notices/read-all/": "POST only",
    "jsi18n/": "JavaScript",
    "tips/<int:pk>/": "a tip's desk, being built: give it an example tip here once its model settles",
}

# Latin words a Chinese page may show: file formats, abbreviations, the product's brand.
ALLOWED_LATIN = {
    "PDF",
    "XLSX",
    "CSV",
    "GBK",  # the encoding Excel on Chinese Windows saves a CSV in, named on the roster page
    "SVG",
    "API",
    "ID",
    "URL",
    "OTP",
    "TOTP",
    "QR",
    "SHA",
    "PNG",
    "JPEG",
    "POST",  # the API's method, named where the profile page explains how programs get a token
    "English",  # the language switcher offers English in English
    # The alt text of the admin's yes/no icons (Django writes the value as it is).
    "True",
    "False",
    # Proper names of authenticator apps on the two-factor page.
    "Microsoft",
    "Google",
    "Authenticator",
}

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin text that is data, not UI: URLs, e-mail addresses, usernames, and anything mixing letters
# and digits (case and document numbers, credit codes, certificate numbers, ID numbers).
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DATA = re.compile(
    r"https?://\S+"  # URLs
    r"|(?<![\w/])/[\w./-]+/"  # paths (/api/v1/auth/token/)
    r"|[^\s/]*\.(?:pdf|png|jpe?g|xlsx|csv|docx?)\b"  # file names and extensions
    r"|\bagency:[\w-]+"  # the admin's groups, one per agency
    r"|\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*\b"  # numbers with letters in them
    r"|\b[a-z]+(?:-[a-z]+)+\b"  # slugs (guangzhou-safety), the admin's identifiers of records
)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SUBTREE, OWN = "subtree", "own"
LABELLING = ("label", "legend", "dt", "th")  # the elements that name a field or a value


class Visible(HTMLParser):
    """The text a user reads: element text (not script or style, not the ligature names of icons
    such as "notifications" in <i class="material-icons">), and the title, placeholder, aria-label
    and alt attributes, and the value of buttons. Also the text of each form label, and the names
    of the page's inputs (a label that says its input's name is a raw field name)."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.labels: list[str] = []  # the text of each label, legend, dt and th
        self.names: set[str] = set()  # the name of each input, select and textarea
        self.stack: list[tuple[str, str | None]] = []  # open elements: (tag, what of it is hidden)
        self._label: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if a.get(name):
                self.parts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.parts.append(a["value"])
        if tag in ("input", "select", "textarea") and a.get("name"):
            self.names.add(a["name"])
        if tag in VOID:
            return
        classes = (a.get("class") or "").split()
        hidden = None
        # translate="no" is HTML's own mark for text that is not language (a secret key, a code):
        # its text is passed over here as translation tools pass it over.
        if tag in self.HIDDEN or a.get("translate") == "no":
            hidden = SUBTREE
        elif any(c in ("material-icons", "material-icons-outlined") for c in classes):
            hidden = OWN  # the icon's ligature name; a badge inside it is still read
        self.stack.append((tag, hidden))
        if tag in LABELLING and self._label is None:
            self._label = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID or not any(t == tag for t, _h in self.stack):
            return
        while self.stack:  # close up to the matching element (HTML leaves some end tags out)
            if self.stack.pop()[0] == tag:
                break
        if tag in LABELLING and self._label is not None:
            self.labels.append(" ".join("".join(self._label).split()))
            self._label = None

    def handle_data(self, data):
        if any(h == SUBTREE for _t, h in self.stack) or (self.stack and self.stack[-1][1] == OWN):
            return
        self.parts.append(data)
        if self._label is not None:
            self._label.append(data)


def visible(html: str) -> tuple[str, list[str], set[str]]:
    parser = Visible()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split()), parser.labels, parser.names


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - 40) : end + 40]


def _without_data(text: str, usernames: set[str]) -> str:
    text = EMAIL.sub(" ", text)  # e-mail addresses first: guangzhou.head@example.org
    for name in sorted(usernames, key=len, reverse=True):  # guangzhou.police_head before guangzhou.police
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", " ", text)
    return DATA.sub(" ", text)


# A place said twice (广州市广州市应急管理局): agency names already carry their city.
TWICE = re.compile(r"([\u4e00-\u9fff]{1,4}[省市区县])\1")


def problems_zh(text: str, usernames: set[str]) -> list[str]:
    rest = _without_data(text, usernames)
    found = [f"code {m.group()!r} in …{_context(rest, m.start(), m.end())}…" for m in SNAKE.finditer(rest)]
    found += [f"place said twice {m.group()!r}" for m in TWICE.finditer(text)]
    for m in LATIN_WORD.finditer(rest):
        if m.group() not in ALLOWED_LATIN:
            found.append(f"English {m.group()!r} in …{_context(rest, m.start(), m.end())}…")
    return found


# Field names that must never stand alone as a label on an English page (a form's label, a table's
# header, a term of a description list): the page says what the value is, in words.
RAW_LABELS = {"party", "summary", "instructions", "text", "close", "title"}


def problems_en(text: str, labels: list[str], names: set[str], usernames: set[str]) -> list[str]:
    rest = _without_data(text, usernames)
    found = [f"code {m.group()!r} in …{_context(rest, m.start(), m.end())}…" for m in SNAKE.finditer(rest)]
    for label in labels:
        bare = _without_data(label, usernames).strip().rstrip(" *:")
        if bare in RAW_LABELS or "_" in bare:
            found.append(f"raw field name {label!r} as a label")
    return found


# --- the world ---------------------------------------------------------------------------------


def _build():
    U = demo_user
    officer, head = U("guangzhou.officer1"), U("guangzhou.head")
    world: dict[str, object] = {}
    # A lead (open/decline forms) and a case with many kinds of events.
    world["lead"] = CaseFactory(status="lead")
    case, person = referable_case()
    add_evidence(case, SimpleUploadedFile("现场检查笔录.pdf", RECORD, "application/pdf"), actor=officer)
    failed_rectification(case)
    actions.order_rectification(
        case, actor=officer, deadline=actions.local_today() + datetime.timedelta(days=10), items="清退无证人员"
    )
    actions.record_finding(case, actor=officer, kind="unlicensed_operation")  # the act the fine punishes
    fine_of(case, served=True)
    corrections.correct(
        case, actor=officer, target="case", field="summary", value="更正后的案情摘要", reason="录入有误"
    )
    actions.request_takedown(case, actor=officer, url="http://fake.example/", agency="guangzhou-cyber")
    referral = referrals.propose_referral(case, actor=officer, persons=[person.pk], report="伪造证件出售")
    referral = referrals.approve(referral, actor=head)
    referral = referrals.transmit(referral, actor=officer, documents=DOCS)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    referral = referrals.accept(referral, actor=U("guangzhou.police_head"), police_case_number="穗公刑立〔2026〕1号")
    supervisor = U("guangzhou.supervisor")
    listing = oversight.list_case(
        case, actor=supervisor, deadline=timezone.localdate() + datetime.timedelta(days=7), instructions="限期查清"
    )
    oversight.report_progress(listing, actor=head, text="已查清")
    oversight.review_listing(listing, actor=supervisor, close=False, note="补充说明")
    case.refresh_from_db()
    world["case"], world["referral"], world["listing"] = case, referral, listing
    # A second referral, proposed and waiting for the head (its approve/refuse forms).
    other, other_person = referable_case(name="李四")
    world["proposed"] = referrals.propose_referral(other, actor=officer, persons=[other_person.pk], report="买卖证件")
    # A closed case, published as a typical case.
    closed = CaseFactory(status="closed")
    oversight.mark_typical(closed, actor=supervisor, title="典型案例：持伪造证件上岗")
    world["closed"] = closed
    world["roster"] = {
        username: RosterCheck.objects.create(
            user=U(username),
            filename="名单.xlsx",
            results=[
                {"number": "T440106198001020011", "name": "张伟", "status": "valid"},
                {"number": "FAKE-1", "name": "赵六", "status": "not_found"},
            ],
        )
        for username in ("guangzhou.officer1", "guangzhou.head")
    }
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the pages ---------------------------------------------------------------------------------


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern).lstrip("^")


# The admin: its index (every app and model by name) and the changelists of Xianjie's own records;
# third-party changelists show their apps' own field names (the index names the apps in Chinese),
# and the regions' changelist their slugs (pinyin, data).
ADMIN_PAGES = {
    "admin/",
    "admin/auth/user/",
    "admin/agencies/agency/",
    "admin/agencies/membership/",
    "admin/cases/event/",
    "admin/cases/legalbasis/",
    "admin/cases/idnumberview/",
    "admin/workflows/calendaryear/",
    "admin/oversight/campaign/",
    "admin/accounts/enrolmentcode/",
}


def urls_of(world, username) -> list[str]:
    case, referral, listing = world["case"], world["referral"], world["listing"]
    roster = world["roster"].get(username) or world["roster"]["guangzhou.officer1"]
    out: list[str] = []
    for pattern in _patterns():
        if pattern.startswith("api/v1/") or pattern in SKIPPED or pattern.startswith("jsi18n"):
            continue
        if pattern.startswith("admin/"):
            if pattern in ADMIN_PAGES:
                out.append("/" + pattern)
            continue
        if "<" not in pattern:
            out.append("/" + pattern)
            continue
        if pattern == "cases/case/<int:pk>/":
            out += [f"/cases/case/{c.pk}/" for c in (case, world["lead"], world["closed"])]
        elif pattern == "cases/case/<int:pk>/<str:name>/":
            out += [f"/cases/case/{case.pk}/{name}/" for name in CASE_ACTIONS]
            out += [f"/cases/case/{world['lead'].pk}/{name}/" for name in ("open", "decline")]
            out.append(f"/cases/case/{world['closed'].pk}/reopen/")
        elif pattern == "cases/case/<int:case_pk>/propose/":
            out.append(f"/cases/case/{case.pk}/propose/")
        elif pattern == "cases/case/<int:pk>/files/upload/":
            out.append(f"/cases/case/{case.pk}/files/upload/")
        elif pattern == "cases/listings/<int:pk>/":
            out.append(f"/cases/listings/{listing.pk}/")
        elif pattern == "cases/listings/new/<int:case_pk>/":
            out.append(f"/cases/listings/new/{world['closed'].pk}/")
        elif pattern == "referrals/referral/<int:pk>/":
            out += [f"/referrals/referral/{r.pk}/" for r in (referral, world["proposed"])]
        elif pattern == "referrals/referral/<int:pk>/<str:name>/":
            out += [f"/referrals/referral/{referral.pk}/{name}/" for name in REFERRAL_ACTIONS]
            out += [f"/referrals/referral/{world['proposed'].pk}/{name}/" for name in ("approve", "refuse")]
        elif pattern == "oversight/returns/<str:region>/<slug:kind>/":
            out += ["/oversight/returns/440100/plan/", "/oversight/returns/440100/summary/"]
        elif pattern == "oversight/risks/<slug:name>/":
            from oversight.risks import RISKS

            out += [f"/oversight/risks/{name}/" for name in RISKS]
        elif pattern == "oversight/typical/new/<int:case_pk>/":
            out.append(f"/oversight/typical/new/{world['closed'].pk}/")
        elif pattern == "oversight/network/<int:case_pk>/":
            out.append(f"/oversight/network/{case.pk}/")
        elif pattern == "certificates/roster/<int:pk>/":
            out.append(f"/certificates/roster/{roster.pk}/")
        elif re.fullmatch(r"(?:[^<]|<int:\w+>)*", pattern):
            # A page of one case (its notes, its case file …): the case of many events. Downloads
            # and POST-only pages answer other than HTML or 405 and are passed over.
            out.append("/" + re.sub(r"<int:\w+>", str(case.pk), pattern))
        else:
            raise AssertionError(f"no example for the page {pattern!r}: add one to urls_of or a reason to SKIPPED")
    return out


# Pages a visitor only reaches logged out: walked once, anonymously.
PUBLIC = ["/accounts/login/", "/accounts/password_reset/", "/public/typical/", "/public/check/", "/public/tip/"]
PUBLIC += ["/public/tip/track/", "/accounts/password_reset/done/", "/accounts/reset/done/"]


def check(client, url, language, usernames, problems):
    r = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    if r.status_code in (301, 302, 404, 405) or not r.get("Content-Type", "").startswith("text/html"):
        return r.status_code
    assert r.status_code in (200, 400, 403, 409), f"{url}: {r.status_code}"
    text, labels, names = visible(r.content.decode())
    found = problems_zh(text, usernames) if language == "zh-hans" else problems_en(text, labels, names, usernames)
    problems += [f"{url} [{r.status_code}]: {p}" for p in dict.fromkeys(found)]
    return r.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("username", ROLES)
def test_every_page_speaks_the_language_of_the_page(world, username, language):
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    problems: list[str] = []
    shown = [url for url in urls_of(world, username) if check(client, url, language, usernames, problems) == 200]
    assert len(shown) >= 5, shown  # the role saw pages, not only refusals
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_speaks_the_language_of_the_page(world, language):
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    problems: list[str] = []
    for url in PUBLIC:
        assert check(Client(), url, language, usernames, problems) == 200, url
    assert not problems, "\n".join(problems)


# --- the pages named in issue 18 ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_is_a_chinese_page_with_a_way_back_and_no_traceback_in_the_log(client, caplog):
    client.force_login(demo_user("guangzhou.officer1"))
    with caplog.at_level("WARNING", logger="django.request"):
        r = client.get("/oversight/dashboard/", HTTP_REFERER="http://testserver/cases/case/")
    assert r.status_code == 403
    page = r.content.decode()
    assert "无权访问" in page and "have no rights" not in page
    assert 'href="/tasks/mine/"' in page and "返回我的首页" in page  # the officer's start page
    assert 'href="http://testserver/cases/case/"' in page and "返回上一页" in page
    logged = [rec for rec in caplog.records if rec.name == "django.request" and rec.status_code == 403]
    assert logged and all(rec.exc_info is None and rec.exc_text is None for rec in logged)
    # Come from elsewhere (or from nowhere): no way back to another site.
    page = client.get("/oversight/dashboard/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in page and "返回上一页" not in page


@pytest.mark.django_db
def test_the_password_reset_page_says_what_its_button_does(client):
    page = client.get("/accounts/password_reset/").content.decode()
    assert "发送重置链接" in page and ">重置<" not in page and "Reset<" not in page
    page = client.get("/accounts/password_reset/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Send the reset link" in page


@pytest.mark.django_db
def test_the_admin_names_every_app_and_model_in_chinese(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get("/admin/").content.decode()
    for chinese in ("登录尝试记录", "动态口令设备（TOTP）", "流程实例", "接口令牌", "衔接 · 系统管理", "办案记录"):
        assert chinese in page, chinese
    for english in ("Access attempts", "TOTP devices", "Process list", "Otp_Totp", "Django"):
        assert english not in visible(page)[0], english

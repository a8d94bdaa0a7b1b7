"""`make load`: a working day of Xianjie's users, for Locust (run by bench/load.py, one process a step).

Officers open cases and take each to a proposed referral; heads approve and transmit what their
officers proposed; the police sign the receipt and accept; supervisors read the dashboard, the
monthly form and the risk lists; the public check certificates. Each simulated user thinks
between its requests. Many simulated users share one city's demo accounts, spread over the 21
cities so that no one case or inbox takes every request.

LOAD_CONFIG names the JSON file bench/load.py writes (tokens, cities, the month, certificates);
LOAD_STATS_OUT the JSON file this writes when Locust quits: every request kind's latency histogram,
its failures, and the conflicts (409: another simulated user took the same referral first).
"""

import datetime
import itertools
import json
import os
import random
import re
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

from core.identity import USCC_ALPHABET, id_check_digit, uscc_check_char

CONFIG = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text()) if os.environ.get("LOAD_CONFIG") else {}
CITIES = CONFIG.get("cities", [])
DOCS = [
    {"kind": "transfer_letter", "title": "涉嫌犯罪案件移送书"},
    {"kind": "investigation_report", "title": "涉嫌犯罪案件调查报告"},
    {"kind": "evidence_list", "title": "涉案物品清单"},
]
RISKS = [
    "unreferred-findings",
    "referrals-past-deadline",
    "refusals-awaiting-review",
    "fines-without-referral",
    "police-decisions-overdue",
    "rectifications-past-reinspection",
]
# Seconds a user thinks between requests (LOAD_THINK="2,8"; the smoke test thinks less).
THINK = tuple(float(s) for s in os.environ.get("LOAD_THINK", "2,8").split(","))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Simulated users of a kind take the cities in turn; 409s by request name.
_next_city: dict[str, itertools.count] = {}
CONFLICTS: Counter[str] = Counter()
_serial = itertools.count(1)


def city_for(kind: str) -> dict:
    n = next(_next_city.setdefault(kind, itertools.count()))
    return CITIES[n % len(CITIES)]


def id_number(region: str) -> str:
    first17 = f"{region}{datetime.date(1970, 1, 1) + datetime.timedelta(days=random.randrange(15_000)):%Y%m%d}{random.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def credit_code(region: str) -> str:
    """A well-formed unified social credit code (91: an enterprise) of the region."""
    body = "91" + region + "".join(random.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


class Xianjie(HttpUser):
    abstract = True
    wait_time = between(*THINK)

    def call(self, method: str, path: str, name: str, token: str | None = None, *, conflict_ok=False, **kwargs):
        """One request, its failure judged here: a 409 where another simulated user may have taken
        the same item first is a conflict (counted apart), any other status of 400 and up an error."""
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Token {token}"
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs) as r:
            if r.status_code == 409 and conflict_ok:
                CONFLICTS[name] += 1
                r.success()
            elif not 200 <= r.status_code < 400:
                r.failure(f"{r.status_code} {r.text[:120]!r}")
            elif r.url and "/accounts/login/" in r.url and name != "POST login":
                r.failure("sent to the login page")
            return r

    def json_of(self, response) -> dict:
        try:
            return response.json() if response.ok else {}
        except ValueError:
            return {}


class Officer(Xianjie):
    """A case from inspection to the proposed referral, each step after a pause."""

    weight = 6

    def on_start(self):
        self.city = city_for("officer")
        self.token = self.city["tokens"][random.choice(["officer1", "officer2"])]

    @task
    def case_to_referral(self):
        c = self.city
        self.call("GET", "/api/v1/tasks/?page_size=20", "GET task inbox", self.token)
        self.wait()
        n = next(_serial)
        case = self.json_of(
            self.call(
                "POST",
                "/api/v1/cases/",
                "POST case create",
                self.token,
                json={
                    "source": "inspection",
                    "region": c["code"],
                    "party": {
                        "kind": "employer",
                        "name": f"负载测试{c['code']}第{os.getpid()}-{n}号企业",
                        "credit_code": credit_code(c["code"]),
                    },
                    "summary": "负载测试：现场检查发现持假证上岗",
                },
            )
        )
        if not case.get("id"):
            return
        path = f"/api/v1/cases/{case['id']}"
        self.wait()
        handlers = [f"{c['slug']}.officer1", f"{c['slug']}.officer2"]
        if not self.call(
            "POST", f"{path}/actions/open/", "POST case action open", self.token, json={"handlers": handlers}
        ).ok:
            return
        self.wait()
        case = self.json_of(
            self.call(
                "POST",
                f"{path}/actions/add_person/",
                "POST case action add_person",
                self.token,
                json={"name": "负载测试人员", "id_number": id_number(c["code"]), "role": "holder"},
            )
        )
        if not case.get("persons"):
            return
        person = case["persons"][0]["id"]
        self.wait()
        self.call("GET", f"{path}/", "GET case page", self.token)
        self.wait()
        if not self.call(
            "POST",
            f"{path}/actions/record_finding/",
            "POST case action record_finding",
            self.token,
            json={"kind": "forged_certificate", "person": person},
        ).ok:
            return
        self.wait()
        self.call(
            "POST",
            f"{path}/actions/propose_referral/",
            "POST case action propose_referral",
            self.token,
            json={
                "persons": [person],
                "report": "经查，当事人持伪造的特种作业操作证上岗，涉嫌犯罪，建议移送公安机关。",
            },
        )


class Inbox(Xianjie):
    abstract = True

    def pick(self, token: str, status: str) -> int | None:
        """One referral of the first page of the list in this status, at random among them (the
        others of this account's users are picking too)."""
        r = self.call("GET", f"/api/v1/referrals/?status={status}&page_size=20", f"GET referral list {status}", token)
        results = self.json_of(r).get("results") or []
        return random.choice(results)["id"] if results else None

    def act(self, token: str, status: str, action: str, body: dict) -> None:
        referral = self.pick(token, status)
        if referral is not None:
            self.wait()
            self.call(
                "POST",
                f"/api/v1/referrals/{referral}/actions/{action}/",
                f"POST referral action {action}",
                token,
                conflict_ok=True,
                json=body,
            )


class Head(Inbox):
    """The head of a city's safety regulator: approves and transmits what the officers proposed."""

    weight = 2

    def on_start(self):
        self.city = city_for("head")
        self.token = self.city["tokens"]["head"]

    @task(3)
    def approve(self):
        self.act(self.token, "proposed", "approve", {"opinion": "同意移送"})

    @task(3)
    def transmit(self):
        self.act(self.token, "approved", "transmit", {"documents": DOCS})

    @task(1)
    def inbox(self):
        self.call("GET", "/api/v1/tasks/?page_size=20", "GET task inbox", self.token)


class Police(Inbox):
    """A city's police: the duty officer signs the receipt, the head accepts (立案)."""

    weight = 5

    def on_start(self):
        self.city = city_for("police")

    @task
    def acknowledge(self):
        self.act(self.city["tokens"]["police"], "transmitted", "acknowledge", {})

    @task
    def accept(self):
        number = f"{self.city['code']}-LT-{os.getpid()}-{next(_serial)}"
        self.act(self.city["tokens"]["police_head"], "received", "accept", {"police_case_number": number})


class Supervisor(Xianjie):
    """A city's safety committee office, signed in on the web pages (its risk lists through the API,
    on the same session)."""

    weight = 1

    def on_start(self):
        self.city = city_for("supervisor")
        r = self.client.get("/accounts/login/", name="GET login page")
        found = CSRF_INPUT.search(r.text)
        with self.client.post(
            "/accounts/login/",
            name="POST login",
            data={
                "username": f"{self.city['slug']}.supervisor",
                "password": CONFIG["password"],
                "csrfmiddlewaretoken": found.group(1) if found else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:  # the form again: refused
                r.failure(f"login refused: {r.status_code}")

    @task(3)
    def dashboard(self):
        self.call("GET", "/oversight/dashboard/", "GET page dashboard")

    @task(1)
    def monthly_page(self):
        self.call("GET", "/oversight/monthly/", "GET page monthly form")

    @task(1)
    def monthly_api(self):
        self.call(
            "GET", f"/api/v1/reports/monthly/?region={self.city['code']}&month={CONFIG['month']}", "GET monthly form"
        )

    @task(3)
    def risk(self):
        self.call("GET", f"/api/v1/risks/{random.choice(RISKS)}/", "GET risk list")


class Public(Xianjie):
    """A visitor checking a certificate on the public page (some genuine, some not)."""

    weight = 3

    @task
    def check(self):
        r = self.call("GET", "/public/check/", "GET page public check")
        found = CSRF_INPUT.search(r.text or "")
        if not found:
            return
        self.wait()
        certificates = CONFIG.get("certificates") or [{"number": "T000000000000", "name": "张三"}]
        item = dict(random.choice(certificates))
        if random.random() < 0.3:  # a wrong name: no_match
            item["name"] = "李某某"
        self.call(
            "POST",
            "/public/check/",
            "POST public check",
            data={"number": item["number"], "name": item["name"], "csrfmiddlewaretoken": found.group(1)},
            headers={"Referer": f"{self.host}/public/check/"},
        )


@events.reset_stats.add_listener
def reset_conflicts(**_kwargs):
    """--reset-stats: the figures start once every user is running, the conflicts with them."""
    CONFLICTS.clear()


@events.quitting.add_listener
def dump_stats(environment, **_kwargs):
    """Every request kind's histogram (ms rounded as Locust keeps them → count), failures and conflicts."""
    out = os.environ.get("LOAD_STATS_OUT")
    if not out or environment.runner is None:
        return
    stats = environment.runner.stats
    entries = [
        {
            "name": e.name,
            "method": e.method,
            "requests": e.num_requests,
            "failures": e.num_failures,
            "conflicts": CONFLICTS.get(e.name, 0),
            "histogram": {str(k): v for k, v in e.response_times.items()},
        }
        for e in stats.entries.values()
    ]
    errors = [
        {"name": e.name, "method": e.method, "error": str(e.error), "occurrences": e.occurrences}
        for e in stats.errors.values()
    ]
    Path(out).write_text(json.dumps({"entries": entries, "errors": errors}, ensure_ascii=False))

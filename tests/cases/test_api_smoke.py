"""A Guangzhou safety officer's case, end to end through API v1."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Case, Event
from core.calendar import LEGAL_TZ
from demo.sample_cases import make_credit_code, make_id_number

pytestmark = pytest.mark.django_db


def act(client, case_id, name, body=None):
    return client.post(f"/api/v1/cases/{case_id}/actions/{name}/", body or {}, format="json")


def test_it_runs_a_case_from_lead_to_closed_through_the_api(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    r = officer.post(
        "/api/v1/cases/",
        {
            "source": "inspection",
            "region": "440100",
            "party": {"kind": "employer", "name": "广州某建筑公司", "credit_code": make_credit_code("440100", 1)},
            "summary": "检查发现无证上岗",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    case = r.json()
    year = timezone.localdate().year
    assert case["number"].startswith(f"440100-{year}-")
    assert case["status"] == "lead" and case["agency"] == "guangzhou-safety"
    assert case["actions"] == ["open"]

    r = act(officer, case["id"], "open", {"handlers": ["guangzhou.officer1", "guangzhou.officer2"]})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "open"
    assert r.json()["handlers"] == ["guangzhou.officer1", "guangzhou.officer2"]

    id_number = make_id_number("440106", datetime.date(1985, 3, 9), 12)
    r = act(officer, case["id"], "add_person", {"name": "李四", "id_number": id_number, "role": "holder"})
    assert r.status_code == 200, r.json()
    person = r.json()["persons"][0]
    assert person["id_number"] == id_number  # a handler sees it in full
    assert (
        head.get(f"/api/v1/cases/{case['id']}/").json()["persons"][0]["id_number"]
        == id_number[:3] + "*" * 11 + id_number[-4:]
    )

    r = act(officer, case["id"], "record_finding", {"kind": "unlicensed_operation", "person": person["id"]})
    assert r.status_code == 200 and r.json()["findings"][0]["referable"] is False
    finding = r.json()["findings"][0]["id"]
    deadline = timezone.localdate() + datetime.timedelta(days=1)
    r = act(officer, case["id"], "order_rectification", {"deadline": deadline.isoformat(), "items": "停止无证作业"})
    order = r.json()["rectifications"][0]
    # 安全生产法 第97条: the unit is ordered to rectify and fined; only a failed rectification suspends.
    r = act(head, case["id"], "impose_fine", {"amount": "30000.00", "legal_basis": "AQSCF-97-7", "finding": finding})
    assert r.status_code == 200, r.json()
    assert [p["status"] for p in r.json()["penalties"]] == ["approved"] and r.json()["fines"] == []
    early = {"reason": "逾期未改正", "starts_on": deadline.isoformat(), "amount": "100000.00"}
    r = act(head, case["id"], "suspend_production", early)
    assert r.status_code == 400 and "逾期未改正" in r.json()["legal_basis"][0]

    later = datetime.datetime.combine(deadline + datetime.timedelta(days=1), datetime.time(10), tzinfo=LEGAL_TZ)
    with time_machine.travel(later, tick=False):
        today = timezone.localdate().isoformat()
        r = act(officer, case["id"], "verify_rectification", {"order": order["id"], "passed": False, "note": "未整改"})
        assert r.status_code == 200, r.json()
        r = act(head, case["id"], "suspend_production", early | {"starts_on": today})
        assert r.status_code == 200 and r.json()["suspensions"] == []  # the procedure starts; nothing in force yet
        started = r.json()["penalties"]
        pdf = SimpleUploadedFile("现场检查笔录.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        uploaded = officer.post(f"/api/v1/cases/{case['id']}/evidence/", {"file": pdf}, format="multipart")
        assert uploaded.status_code == 201, uploaded.content  # the decision states its evidence (第59条)
        # Each penalty: the advance notice served, the party waives its periods (and its hearing, where
        # it has one), the legal office reviews where 第58条 asks, the heads decide, the decision is served.
        for penalty in started:
            pk = penalty["id"]
            notice = {"penalty": pk, "served_on": today, "method": "in_person"}
            assert act(officer, case["id"], "notify_penalty", notice).status_code == 200
            waiver = {"penalty": pk, "text": "无异议", "waives": True, "waives_hearing": penalty["hearing_right"]}
            assert act(officer, case["id"], "record_statement", waiver).status_code == 200
            decision = {"penalty": pk, "note": "当事人无异议"}
            if penalty["hearing_right"]:  # 停产停业: 法制审核 and 集体讨论
                review = {"penalty": pk, "opinion": "事实清楚，证据确凿，程序合法"}
                assert act(api("guangzhou.legal"), case["id"], "review_penalty", review).status_code == 200
                decision["collective_discussion"] = "局长办公会集体讨论同意"
            r = act(head, case["id"], "decide_penalty", decision)
            assert r.status_code == 200, r.json()
            assert act(officer, case["id"], "serve_decision", notice).status_code == 200
        r = head.get(f"/api/v1/cases/{case['id']}/")
        assert {p["status"] for p in r.json()["penalties"]} == {"served"}
        suspension = r.json()["suspensions"][0]
        fines = r.json()["fines"]
        assert [f["amount_due"] for f in fines] == ["30000.00", "100000.00"]
        assert all(f["decision_number"].startswith("穗应急罚〔") for f in fines)

        r = act(head, case["id"], "close", {"summary": "结案"})
        assert r.status_code == 409 and r.json()["code"] == "open_measures"

        assert act(head, case["id"], "lift_suspension", {"suspension": suspension["id"]}).status_code == 200
        for fine in fines:
            r = act(officer, case["id"], "record_payment", {"fine": fine["id"], "amount": fine["amount_due"]})
            assert r.status_code == 200, r.json()
        assert "close" in head.get(f"/api/v1/cases/{case['id']}/").json()["actions"]
        r = act(head, case["id"], "close", {"summary": "逾期未改正，停产整顿后恢复，罚款缴清"})
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "closed"

    events = officer.get(f"/api/v1/cases/{case['id']}/events/").json()["results"]
    assert [e["action"] for e in events] == [
        "create",
        "open",
        "add_person",
        "record_finding",
        "order_rectification",
        "impose_fine",
        "verify_rectification",
        "suspend_production",
        "add_evidence",
        *["notify_penalty", "record_statement", "decide_penalty", "serve_decision"],
        *["notify_penalty", "record_statement", "review_penalty", "decide_penalty", "serve_decision"],
        "lift_suspension",
        "record_payment",
        "record_payment",
        "close",
    ]
    assert events[-1]["from_status"] == "open" and events[-1]["to_status"] == "closed"
    assert events[1]["actor"] == "guangzhou.officer1" and events[1]["agency"] == "guangzhou-safety"
    assert Event.objects.filter(case_id=case["id"]).count() == 22
    assert Case.objects.get(pk=case["id"]).version == 22
    # No full ID number anywhere in the log.
    assert id_number not in str([e["data"] for e in events])

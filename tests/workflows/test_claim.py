"""认领 / 退回: a member claims a task of the agency queue (viewflow assign) — it leaves the queue
and the others' inboxes for the claimer's 我的待办 — and hands it back (unassign) with a reason."""

import pytest
from django.test import Client
from viewflow.workflow.status import STATUS

from demo.reach import reach
from tests.factories import demo_user
from tests.workflows.helpers import referable_case
from workflows.models import TaskRoute

pytestmark = pytest.mark.django_db


def open_route(referral) -> TaskRoute:
    return TaskRoute.objects.select_related("task").get(
        referral=referral, task__status__in=(STATUS.NEW, STATUS.ASSIGNED)
    )


@pytest.fixture
def receipt():
    """A transmitted referral: its receipt is for any member of the city's police (role member)."""
    case, person = referable_case()
    route = open_route(reach(case, "transmitted", persons=[person.pk], report="移送"))
    assert (route.task.flow_task.name, route.role, route.agency.slug) == ("receipt", "member", "guangzhou-police")
    return route


def tasks_table(page: bytes) -> str:
    """The task table of a task page (not the deadlines listed below it)."""
    html = page.decode()
    start = html.index('data-testid="tasks"')
    return html[start : html.index("</table>", start)]


def claim(api, username, route):
    return api(username).post(f"/api/v1/tasks/{route.task_id}/claim/", format="json")


def release(api, username, route, reason=None):
    body = {} if reason is None else {"reason": reason}
    return api(username).post(f"/api/v1/tasks/{route.task_id}/release/", body, format="json")


def task_ids(api, username):
    return [t["id"] for t in api(username).get("/api/v1/tasks/").json()["results"]]


def test_a_claimed_task_is_the_claimers_and_a_second_claim_is_a_409(api, receipt):
    assert receipt.task_id in task_ids(api, "guangzhou.police")
    assert receipt.task_id in task_ids(api, "guangzhou.police_head")
    r = claim(api, "guangzhou.police", receipt)
    assert r.status_code == 200, r.content
    assert (r.json()["id"], r.json()["claimed_by"]) == (receipt.task_id, "guangzhou.police")
    receipt.task.refresh_from_db()
    assert (receipt.task.status, receipt.task.owner.username) == (STATUS.ASSIGNED, "guangzhou.police")
    assert receipt.task.assigned is not None
    # In the claimer's inbox only.
    assert receipt.task_id in task_ids(api, "guangzhou.police")
    assert receipt.task_id not in task_ids(api, "guangzhou.police_head")
    r = claim(api, "guangzhou.police_head", receipt)
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_transition"
    holder = receipt.task.owner
    assert (holder.get_full_name() or holder.username) in r.json()["detail"] and "认领" in r.json()["detail"]
    receipt.task.refresh_from_db()
    assert receipt.task.owner.username == "guangzhou.police"
    # Claiming one's own claim again changes nothing.
    assert claim(api, "guangzhou.police", receipt).status_code == 200
    assert [c["what"] for c in receipt.task.data["claims"]] == ["claim"]


def test_the_claimer_hands_it_back_with_a_reason_and_another_may_claim_it(api, receipt):
    assert claim(api, "guangzhou.police", receipt).status_code == 200
    r = release(api, "guangzhou.police", receipt, "出差，无法按时签收")
    assert r.status_code == 200, r.content
    assert r.json()["claimed_by"] is None
    receipt.task.refresh_from_db()
    assert (receipt.task.status, receipt.task.owner_id, receipt.task.assigned) == (STATUS.NEW, None, None)
    assert receipt.task.data["claims"][-1]["reason"] == "出差，无法按时签收"
    assert receipt.task_id in task_ids(api, "guangzhou.police_head")
    assert claim(api, "guangzhou.police_head", receipt).status_code == 200
    # A release without a reason is fine too.
    assert release(api, "guangzhou.police_head", receipt).status_code == 200


def test_who_may_claim_and_release(api, receipt):
    # Not of the task's agency: 404; of it but the task is not routed to them: 403.
    assert claim(api, "guangzhou.officer1", receipt).status_code == 404
    assert claim(api, "shenzhen.police", receipt).status_code == 404
    case, person = referable_case()
    decide = open_route(reach(case, "proposed", persons=[person.pk], report="移送"))
    assert (decide.role, decide.excluded_user.username) == ("head", "guangzhou.officer1")
    assert claim(api, "guangzhou.officer1", decide).status_code == 403  # the proposer's own proposal
    assert claim(api, "guangzhou.officer2", decide).status_code == 403  # for the head
    assert claim(api, "guangzhou.head", decide).status_code == 200
    # Nobody holds the receipt: nothing to hand back.
    r = release(api, "guangzhou.police_head", receipt)
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    assert claim(api, "guangzhou.police", receipt).status_code == 200
    # The head of the police may hand back what the officer holds; no one else of another agency.
    assert release(api, "guangzhou.officer1", receipt).status_code == 404
    assert release(api, "guangzhou.police_head", receipt, "人员调整").status_code == 200
    assert claim(api, "guangzhou.police_head", receipt).status_code == 200
    assert release(api, "guangzhou.police", receipt).status_code == 403  # neither holder nor head
    # A task no longer open cannot be claimed.
    assert claim(api, "guangzhou.head", decide).status_code == 200
    decide.task.status = STATUS.DONE
    decide.task.save(update_fields=["status"])
    assert claim(api, "guangzhou.head", decide).status_code == 409
    assert api("guangzhou.police").post("/api/v1/tasks/999999999/claim/").status_code == 404


def test_the_queue_page_claims_and_the_inbox_hands_back(receipt):
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(demo_user("guangzhou.police"))
    queue = web.get("/tasks/queue/").content.decode()
    assert f"/tasks/queue/{receipt.task_id}/claim/" in queue
    r = web.post(f"/tasks/queue/{receipt.task_id}/claim/")
    assert r.status_code == 302 and r["Location"].endswith("/tasks/mine/")
    assert f"/tasks/queue/{receipt.task_id}/claim/" not in web.get("/tasks/queue/").content.decode()
    mine = web.get("/tasks/mine/").content.decode()
    assert f"/tasks/queue/{receipt.task_id}/release/" in mine
    # The other member: gone from the queue and the inbox; a claim answers with a message.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(demo_user("guangzhou.police_head"))
    assert f"/referrals/referral/{receipt.referral_id}/" not in tasks_table(other.get("/tasks/queue/").content)
    assert f"/referrals/referral/{receipt.referral_id}/" not in tasks_table(other.get("/tasks/mine/").content)
    r = other.post(f"/tasks/queue/{receipt.task_id}/claim/", follow=True)
    assert "has already claimed this task" in r.content.decode()
    receipt.task.refresh_from_db()
    assert receipt.task.owner.username == "guangzhou.police"
    r = web.post(f"/tasks/queue/{receipt.task_id}/release/", {"reason": "休假", "next": "/tasks/queue/"})
    assert r.status_code == 302 and r["Location"] == "/tasks/queue/"
    receipt.task.refresh_from_db()
    assert receipt.task.owner_id is None
    assert f"/tasks/queue/{receipt.task_id}/claim/" in other.get("/tasks/queue/").content.decode()
    assert web.get(f"/tasks/queue/{receipt.task_id}/claim/").status_code == 405


def test_a_claimed_task_does_not_block_the_step_itself(api, receipt):
    """The claim organises the work; the legal step stays with everyone entitled to it."""
    assert claim(api, "guangzhou.police", receipt).status_code == 200
    r = api("guangzhou.police_head").post(
        f"/api/v1/referrals/{receipt.referral_id}/actions/acknowledge/", {}, format="json"
    )
    assert r.status_code == 200, r.content
    receipt.task.refresh_from_db()
    assert (receipt.task.status, receipt.task.owner.username) == (STATUS.DONE, "guangzhou.police_head")

"""Token auth, reference lists, the OpenAPI schema and its locally served Swagger UI."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_token_for_good_credentials_and_400_for_bad(api):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="guangzhou.officer1")
    user.set_password("correct-Horse-9")
    user.save()
    r = api().post(
        "/api/v1/auth/token/", {"username": "guangzhou.officer1", "password": "correct-Horse-9"}, format="json"
    )
    assert r.status_code == 200 and len(r.json()["token"]) == 40
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert client.get("/api/v1/cases/").status_code == 200
    r = api().post("/api/v1/auth/token/", {"username": "guangzhou.officer1", "password": "wrong"}, format="json")
    assert r.status_code == 400
    bad = api()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/v1/cases/").status_code == 401
    assert api().get("/api/v1/cases/").status_code == 401


def test_regions_and_agencies(api):
    r = api("guangzhou.officer1").get("/api/v1/regions/?page_size=100")
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"results", "next", "previous"}
    assert {"code": "440100", "name": "广州市", "slug": "guangzhou", "level": "city", "parent": "440000"} in body[
        "results"
    ]
    r = api("guangzhou.officer1").get("/api/v1/agencies/?kind=police&region=440300")
    assert [(a["slug"], a["kind"], a["region"]) for a in r.json()["results"]] == [
        ("shenzhen-police", "police", "440300")
    ]
    assert set(r.json()["results"][0]) == {"id", "slug", "name", "kind", "region"}


def test_the_schema_names_every_case_action(api):
    r = api().get("/api/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for name in (
        "open",
        "decline",
        "add_person",
        "record_finding",
        "order_rectification",
        "verify_rectification",
        "suspend_production",
        "lift_suspension",
        "impose_fine",
        "record_payment",
        "request_takedown",
        "propose_referral",
        "close",
        "reopen",
    ):
        assert f"/api/v1/cases/{{id}}/actions/{name}/" in paths
    assert "/api/v1/takedowns/{id}/actions/block/" in paths


def test_swagger_ui_is_served_from_local_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/referrals/{id}/actions/decide_reconsideration/" in text and "/api/v1/tasks/" in text

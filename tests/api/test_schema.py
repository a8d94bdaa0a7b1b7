"""The served OpenAPI documents the error answers of DESIGN §4 wherever the API can give them."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def operations(django_db_setup, django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        paths = APIClient().get("/api/schema/?format=json").json()["paths"]
    return {f"{method.upper()} {path}": op for path, item in paths.items() for method, op in item.items()}


def test_every_operation_documents_the_errors_it_can_answer(operations):
    missing = []
    for name, op in operations.items():
        method, path = name.split(" ", 1)
        expected = set()
        if op.get("security"):
            expected.add("401")
        if "requestBody" in op:
            expected.add("400")
        if "{" in path:
            expected.add("404")
        if "/actions/" in path:
            expected.add("409")
        if expected - set(op["responses"]):
            missing.append(f"{name}: {sorted(expected - set(op['responses']))}")
    assert not missing, missing
    assert len(operations) >= 72


def test_error_bodies_are_described(operations):
    responses = operations["POST /api/v1/cases/{id}/actions/close/"]["responses"]
    assert responses["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ConflictOutput"}
    assert responses["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOutput"}
    assert responses["400"]["content"]["application/json"]["schema"]["type"] == "object"
    # A file download answers its errors in JSON.
    pdf = operations["GET /api/v1/referrals/{id}/receipt.pdf"]["responses"]
    assert set(pdf["200"]["content"]) == {"application/pdf"} and set(pdf["409"]["content"]) == {"application/json"}


def test_the_conflict_codes_of_design_are_documented(api):
    schemas = api().get("/api/schema/?format=json").json()["components"]["schemas"]
    code = schemas["ConflictOutput"]["properties"]["code"]
    enum = schemas[code["$ref"].rsplit("/", 1)[1]]["enum"] if "$ref" in code else code["enum"]
    assert set(enum) >= {"invalid_transition", "unreferred", "open_measures", "stale", "deadline_passed"}

"""The admin keeps the reference data; the event log is read-only there."""

import pytest

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    return client


@pytest.mark.parametrize(
    "model", ["agencies/region", "agencies/agency", "agencies/membership", "cases/legalbasis", "cases/event"]
)
def test_reference_data_pages_load(admin_client, model):
    CaseFactory()
    assert admin_client.get(f"/admin/{model}/").status_code == 200


def test_events_cannot_be_added_changed_or_deleted(admin_client):
    case = CaseFactory()
    event = case.events.first()
    assert admin_client.get("/admin/cases/event/add/").status_code == 403
    r = admin_client.post(f"/admin/cases/event/{event.pk}/change/", {"action": "forged"})
    assert r.status_code == 403
    assert admin_client.get(f"/admin/cases/event/{event.pk}/delete/").status_code == 403


def test_adding_a_membership_in_the_admin_joins_the_agency_group(admin_client, django_user_model):
    from agencies.models import Agency

    user = django_user_model.objects.create(username="new.officer")
    agency = Agency.objects.get(slug="zhuhai-safety")
    r = admin_client.post("/admin/agencies/membership/add/", {"user": user.pk, "agency": agency.pk, "role": "officer"})
    assert r.status_code == 302, r.content[:500]
    assert list(user.groups.values_list("name", flat=True)) == ["agency:zhuhai-safety"]

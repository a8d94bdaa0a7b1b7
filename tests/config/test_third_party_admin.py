"""The admin pages of django_otp's devices and django_celery_beat's periodic tasks speak Chinese:
their plain English labels and their catalog's fuzzy or empty entries come from Xianjie's catalog
(config/third_party_strings.py)."""

import pytest
from django.contrib.auth import get_user_model
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.web.test_all_pages import problems_zh, visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model()
    TOTPDevice.objects.create(user=user.objects.get(username="guangzhou.officer1"), name="手机", confirmed=True)
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="矩阵定时任务", task="oversight.tasks.sweep_deadlines", interval=every)
    client.force_login(user.objects.get(username="admin"))
    return client


def english_on(client, url: str) -> list[str]:
    r = client.get(url)
    assert r.status_code == 200, url
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    found = problems_zh(visible(r.content.decode())[0], usernames)
    return [p for p in found if "sweep_deadlines" not in p]  # a task's dotted name (its filter) is data


@pytest.mark.parametrize(
    "url",
    [
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
        "/admin/django_celery_beat/periodictask/",
    ],
)
def test_the_lists_have_no_english(admin_client, url):
    assert english_on(admin_client, url) == []


def test_the_periodic_task_form_names_its_sections_in_chinese(admin_client):
    task = PeriodicTask.objects.get(name="矩阵定时任务")
    page = visible(admin_client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/").content.decode())[0]
    for english in ("Schedule", "Arguments", "Execution Options", "Crontab translation", "Task Name"):
        assert english not in page, english
    for chinese in ("执行计划", "参数", "执行选项", "定时规则说明"):
        assert chinese in page, chinese


def test_the_totp_list_names_its_columns_and_search_in_chinese(admin_client):
    page = visible(admin_client.get("/admin/otp_totp/totpdevice/").content.decode())[0]
    for chinese in ("动态口令设备（TOTP）", "最近使用时间", "已确认", "按用户的用户名或电子邮件地址搜索"):
        assert chinese in page, chinese

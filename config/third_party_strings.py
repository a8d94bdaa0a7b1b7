"""Texts of the apps Xianjie is built on that their own catalogs leave in English in Chinese (the
admin's app and model names, viewflow's frame, Django 5.2's newer admin labels), named here so that
`makemessages` keeps them in Xianjie's catalog, which translates them.

Plain (untranslated) names such as otp_totp's "TOTP devices" are translated where they are shown:
templates/admin/app_list.html passes each app's and model's name through the catalog, and
label_admin_pages() gives the admin pages of django_otp's devices and django_celery_beat's tasks
their names, column heads and filters in the catalog's words (config/site.py calls it once, when
the URLs are loaded). Only the labels shown change: the fields' deconstructed arguments and the
models' declared Meta stay as their apps migrated them, so makemigrations sees nothing new.
"""

from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

STRINGS = [
    # The admin's apps (their labels, where the app gives no verbose name) and models.
    gettext_noop("Axes"),
    gettext_noop("access attempt"),
    gettext_noop("Access attempts"),
    gettext_noop("access attempts"),
    gettext_noop("Access failures"),
    gettext_noop("access failures"),
    gettext_noop("Access logs"),
    gettext_noop("access logs"),
    gettext_noop("Otp_Totp"),
    gettext_noop("TOTP devices"),
    gettext_noop("Otp_Static"),
    gettext_noop("Static devices"),
    gettext_noop("Knox"),
    gettext_noop("Auth tokens"),
    gettext_noop("Workflow"),
    gettext_noop("Process list"),
    gettext_noop("Process"),
    gettext_noop("Tasks"),
    gettext_noop("Task"),
    # Django 5.2's admin: the search box, the hidden headers of each app's table on the index.
    gettext_noop("Search"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # axes's field names (its own catalog has no Chinese).
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access lock out"),
    gettext_noop("Session key hash (sha256)"),
    # viewflow's frame (its zh_Hans catalog is empty).
    gettext_noop("Applications"),
    gettext_noop("Profile"),
    gettext_noop("Log out"),
    gettext_noop("Login"),
    gettext_noop("Back"),
    gettext_noop("Change"),
    gettext_noop("Filter"),
    gettext_noop("Pick an action"),
    gettext_noop("Open navigation menu"),
    gettext_noop("Access Forbidden"),
    gettext_noop("Reset"),
    gettext_noop("Flow"),
    gettext_noop("Status"),
    gettext_noop("Finished"),
    gettext_noop("Started"),
    gettext_noop("Assigned"),
    gettext_noop("Scheduled"),
    gettext_noop("Owner"),
    gettext_noop("Permission"),
    gettext_noop("External Task ID"),
    gettext_noop("Previous"),
    # django_otp's devices (its texts are plain English: label_admin_pages() translates them).
    gettext_noop("TOTP device"),
    gettext_noop("static device"),
    gettext_noop("static devices"),
    gettext_noop("user"),
    gettext_noop("confirmed"),
    gettext_noop("created at"),
    gettext_noop("last used at"),
    gettext_noop("Search by the user's username or e-mail address"),
    # django_celery_beat: its zh_Hans catalog leaves these empty or fuzzy (msgfmt drops fuzzy
    # entries), or its code gives them plain (the task's name, the scheduler, the crontab's reading).
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
    gettext_noop("Execution Options"),
    gettext_noop("Task Name"),
    gettext_noop("Scheduler"),
    gettext_noop("Crontab translation"),
    gettext_noop("Human readable"),
    gettext_noop("Periodic Tasks Using This Schedule"),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop('Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. (Example: "0,5")'),
]


def label_admin_pages() -> None:
    """Give the plain English labels of django_otp's and django_celery_beat's admin pages to the catalog."""
    from django.apps import apps  # noqa: PLC0415
    from django.contrib import admin  # noqa: PLC0415  # the apps' admins are registered by now
    from django_celery_beat.admin import PeriodicTaskAdmin  # noqa: PLC0415
    from django_celery_beat.models import CrontabSchedule, PeriodicTask  # noqa: PLC0415
    from django_otp.plugins.otp_static.models import StaticDevice  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    for label, name in (("otp_totp", "Otp_Totp"), ("otp_static", "Otp_Static")):
        apps.get_app_config(label).verbose_name = gettext_lazy(name)  # the breadcrumbs' name of the app
    for model, one, many in (
        (TOTPDevice, "TOTP device", "TOTP devices"),
        (StaticDevice, "static device", "static devices"),
    ):
        model._meta.verbose_name = gettext_lazy(one)
        model._meta.verbose_name_plural = gettext_lazy(many)
        for name in ("user", "confirmed", "created_at", "last_used_at"):
            field = model._meta.get_field(name)
            field.verbose_name = gettext_lazy(field.verbose_name)
        model._meta.get_field("name").verbose_name = pgettext_lazy("device", "name")
        if model in admin.site._registry:
            type(admin.site._registry[model]).search_help_text = gettext_lazy(
                "Search by the user's username or e-mail address"
            )
    PeriodicTask._meta.get_field("task").verbose_name = gettext_lazy("Task Name")
    PeriodicTask.scheduler.fget.short_description = gettext_lazy("Scheduler")
    PeriodicTaskAdmin.crontab_translation.short_description = gettext_lazy("Crontab translation")
    CrontabSchedule.human_readable.fget.short_description = gettext_lazy("Human readable")

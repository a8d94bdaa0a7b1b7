"""Texts of the apps Xianjie is built on that their own catalogs leave in English in Chinese (the
admin's app and model names, viewflow's frame, Django 5.2's newer admin labels), named here so that
`makemessages` keeps them in Xianjie's catalog, which translates them.

Plain (untranslated) names such as otp_totp's "TOTP devices" are translated where they are shown:
templates/admin/app_list.html passes each app's and model's name through the catalog. Nothing
imports this module; it is read by makemessages only.
"""

from django.utils.translation import gettext_noop

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
]

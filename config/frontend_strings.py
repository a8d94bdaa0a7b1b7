"""Strings of viewflow's Material templates that its own catalog leaves untranslated in Chinese;
listed here so that makemessages keeps them in our catalog (LOCALE_PATHS wins over apps')."""

from django.utils.translation import gettext_noop

FRONTEND_STRINGS = [
    gettext_noop("Access Forbidden"),
    gettext_noop("Applications"),
    gettext_noop("Back"),
    gettext_noop("Bad Request"),
    gettext_noop("Change"),
    gettext_noop("Log in as another user"),
    gettext_noop("Log out"),
    gettext_noop("Page not found"),
    gettext_noop("Pick an action"),
    gettext_noop("Profile"),
    gettext_noop("Reset password"),
    gettext_noop("Server error"),
    gettext_noop("View site"),
    gettext_noop("You are not logged in"),
    gettext_noop("Login"),
    gettext_noop("We're sorry, but the requested page could not be found."),
]

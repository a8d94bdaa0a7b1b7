"""Which kinds of notification a user also receives by e-mail: the settings page
(/notices/settings/) and the API (GET|PUT /api/v1/notifications/preferences/) read and save them
here. E-mail is on for a kind unless a Preference row turns it off."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .announce import EMAIL_KINDS
from .models import Preference

# What each e-mailed kind is called on the settings page, in the words of the notifications themselves.
KIND_LABELS = {
    "case_reassigned": _("A case is reassigned to you (转办)"),
    "find_reported": _("Another agency reports a lead to yours"),
    "referral_propose": _("A referral is proposed for your decision"),
    "referral_transmit": _("A referral is transmitted to your police"),
    "proposal_refused": _("The head refuses your referral proposal"),
    "referral_forward": _("A referral is forwarded to other police"),
    "referral_request_supplement": _("The police ask for missing materials (补正)"),
    "referral_decline_jurisdiction": _("The police say a referral is not police business"),
    "referral_reject": _("The police reject a referral (不予立案)"),
    "referral_request_supervision": _("Supervision of a referral is requested"),
    "referral_request_explanation": _("The procuratorate asks the police to explain a non-filing"),
    "referral_explain": _("The police explain a non-filing"),
    "referral_resolve_supervision": _("The supervision of a referral is resolved"),
    "referral_copy_transmit": _("Copy: a referral is transmitted to the police"),
    "referral_copy_reject": _("Copy: the police reject a referral"),
    "referral_copy_forward": _("Copy: a referral is forwarded to other police"),
    "referral_copy_accept": _("Copy: the police file a referral (立案)"),
    "penalty_request_hearing": _("A party asks for a hearing (听证)"),
    "penalty_schedule_hearing": _("You preside over a hearing"),
    "correction_endorsement": _("A correction awaits the supervisors' decision"),
    "escalation": _("A deadline is missed"),
    "reminder": _("A deadline ends in one working day"),
    "monthly_returned": _("The province returns a monthly statistics return"),
    "campaign_return_returned": _("The province returns a campaign return"),
}


def email_kinds() -> list[str]:
    """The kinds that are e-mailed, in the order of their labels' keys (then any unlabelled one)."""
    return [k for k in KIND_LABELS if k in EMAIL_KINDS] + sorted(EMAIL_KINDS - KIND_LABELS.keys())


def label(kind: str):
    return KIND_LABELS.get(kind, kind)


def current(user) -> dict[str, bool]:
    """Each e-mailed kind: whether the user receives it by e-mail."""
    off = set(Preference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return {kind: kind not in off for kind in email_kinds()}


def save(user, choices: Iterable[tuple[str, bool]]) -> None:
    """Store the user's choice for each (kind, e-mail on?) given; other kinds are left as they were.
    Kinds that are not e-mailed are ignored (the callers validate them first)."""
    for kind, email in choices:
        if kind in EMAIL_KINDS:
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})

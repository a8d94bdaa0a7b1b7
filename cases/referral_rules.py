"""Each referral action declared once (DESIGN §3 transition table): who may run it, the django-fsm
transitions of `Referral` it takes (from which states follows from them), the legal deadlines it
settles, its input, its function, its title and the notification it announces. The API routes,
the web forms, the actions a caller may run now and the deadline bookkeeping are derived from it."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from agencies import jurisdiction
from agencies.models import Agency
from core.access import AnyUser

from .models import Referral
from .rules import Resolved, is_handler


def _referring_head(user: AnyUser, referral: Referral) -> bool:
    return jurisdiction.is_head_of(user, referral.referring_agency_id)


def _referring_staff(user: AnyUser, referral: Referral) -> bool:
    """A handler of the case or the head of the referring agency."""
    return _referring_head(user, referral) or (
        jurisdiction.is_staff_of(user, referral.referring_agency_id) and is_handler(user, referral.case)
    )


def _police_member(user: AnyUser, referral: Referral) -> bool:
    return jurisdiction.role_in(user, referral.police_agency_id) is not None


def _police_head(user: AnyUser, referral: Referral) -> bool:
    return jurisdiction.is_head_of(user, referral.police_agency_id)


def _supervisor(user: AnyUser, referral: Referral) -> bool:
    return jurisdiction.supervises(user, referral.case.region)


def _procuratorate_asked(user: AnyUser, referral: Referral) -> bool:
    """The procuratorate asked; before anyone is asked, any procuratorate over the case's region
    (so that it hears 409, not yet possible, rather than 403)."""
    if referral.procuratorate_id is not None:
        return jurisdiction.role_in(user, referral.procuratorate_id) is not None
    return any(
        m.agency.kind == Agency.Kind.PROCURATORATE and referral.case.region.path.startswith(m.agency.region.path)
        for m in jurisdiction.memberships_of(user)
    )


def _deciding_head(user: AnyUser, referral: Referral) -> bool:
    """Four eyes: the head decides, never the one who proposed."""
    return _referring_head(user, referral) and user.pk != referral.proposed_by_id


@dataclass(frozen=True)
class ReferralAction(Resolved):
    who: Callable[[AnyUser, Referral], bool]
    title: Promise
    input: str  # dotted path of the input serializer (workflows/api.py)
    transitions: tuple[str, ...]  # the `Referral` transitions it may take
    settles: tuple[str, ...] = ()  # deadline steps it meets, whatever the outcome (workflows/steps.py)
    announces: str = ""  # the notification kind (notifications/announce.py) it writes, if any
    copies: str = ""  # the kind of the copy (抄送) it also writes, if any
    run: str = field(default="", compare=False)  # dotted path; set from the name below

    def possible(self, referral: Referral) -> bool:
        """Allowed by the referral's state now (not asking who): one of its transitions can proceed."""
        return any(can_proceed(getattr(referral, method)) for method in self.transitions)


_I = "workflows.api."
# The police's first answers to a referral they received, each of which ends the others' periods.
_DECIDING = ("forward", "request_supplement", "police_decision", "ps_decision")
_REMEDIES = ("ask_reconsideration", "ask_procuratorate", "conclude_rejection", "answer_decline")

_DECLARED: dict[str, ReferralAction] = {
    "approve": ReferralAction(
        _deciding_head,
        _("Approve the referral"),
        _I + "ApproveInput",
        ("approve",),
        ("decide",),
        announces="referral_approve",
    ),
    "refuse": ReferralAction(
        _deciding_head,
        _("Refuse the referral"),
        _I + "RefuseInput",
        ("refuse",),
        ("decide",),
        announces="referral_refuse",
    ),
    "endorse_refusal": ReferralAction(_supervisor, _("Endorse the refusal"), _I + "NoteInput", ("endorse_refusal",)),
    "order_transfer": ReferralAction(_supervisor, _("Order the transfer"), _I + "NoteInput", ("order_transfer",)),
    "transmit": ReferralAction(
        _referring_staff,
        _("Transmit to the police"),
        _I + "TransmitInput",
        ("transmit",),
        ("transmit",),
        announces="referral_transmit",
        copies="referral_copy_transmit",
    ),
    "acknowledge": ReferralAction(
        _police_member,
        _("Sign the receipt"),
        _I + "Empty",
        ("acknowledge",),
        ("receipt",),
        announces="referral_acknowledge",
    ),
    "forward": ReferralAction(
        _police_head,
        _("Forward to the competent police agency"),
        _I + "ForwardInput",
        ("forward",),
        ("receipt", *_DECIDING),
        announces="referral_forward",
        copies="referral_copy_forward",
    ),
    "request_supplement": ReferralAction(
        _police_head,
        _("Ask for missing materials (补正)"),
        _I + "SupplementRequestInput",
        ("request_supplement",),
        _DECIDING,
        announces="referral_request_supplement",
    ),
    "supplement": ReferralAction(
        _referring_staff,
        _("Supplement the materials"),
        _I + "SupplementInput",
        ("supplement",),
        ("supplement",),
        announces="referral_supplement",
    ),
    "decline_jurisdiction": ReferralAction(
        _police_head,
        _("Not police business: tell the agency"),
        _I + "DeclineJurisdictionInput",
        ("decline_jurisdiction",),
        ("receipt", *_DECIDING),
        announces="referral_decline_jurisdiction",
    ),
    "accept": ReferralAction(
        _police_head,
        _("Accept (立案 / 受理)"),
        _I + "AcceptInput",
        ("accept",),
        (*_DECIDING, "file_after_order", "explain"),
        announces="referral_accept",
        copies="referral_copy_accept",
    ),
    "reject": ReferralAction(
        _police_head,
        _("Reject (不予立案 / 不予受理)"),
        _I + "ReferralReasonInput",
        ("reject",),
        _DECIDING,
        announces="referral_reject",
        copies="referral_copy_reject",
    ),
    "request_reconsideration": ReferralAction(
        _referring_head,
        _("Request reconsideration"),
        _I + "RequestReconsiderationInput",
        ("request_reconsideration",),
        ("ask_reconsideration",),
    ),
    "decide_reconsideration": ReferralAction(
        _police_head,
        _("Decide the reconsideration"),
        _I + "DecideReconsiderationInput",
        ("reconsider_accept", "reconsider_uphold"),
        ("decide_reconsideration",),
        announces="referral_decide_reconsideration",
    ),
    "request_supervision": ReferralAction(
        _referring_head,
        _("Ask the procuratorate to supervise"),
        _I + "RequestSupervisionInput",
        ("request_supervision",),
        _REMEDIES,
        announces="referral_request_supervision",
    ),
    "request_explanation": ReferralAction(
        _procuratorate_asked,
        _("Ask the police to explain the non-filing"),
        _I + "NoteInput",
        ("request_explanation",),
        announces="referral_request_explanation",
    ),
    "explain": ReferralAction(
        _police_head,
        _("Explain the non-filing to the procuratorate"),
        _I + "ReferralReasonInput",
        ("explain",),
        ("explain",),
        announces="referral_explain",
    ),
    "resolve_supervision": ReferralAction(
        _procuratorate_asked,
        _("Resolve the supervision"),
        _I + "ResolveSupervisionInput",
        ("supervision_accept", "supervision_reject"),
        ("explain",),
        announces="referral_resolve_supervision",
    ),
    "accept_rejection": ReferralAction(
        _referring_head,
        _("Accept the rejection"),
        _I + "ReferralReasonInput",
        ("accept_rejection",),
        _REMEDIES,
    ),
    "hand_over": ReferralAction(
        _referring_staff,
        _("Hand over evidence and items"),
        _I + "HandOverInput",
        ("hand_over",),
        ("hand_over", "ps_hand_over"),
        announces="referral_hand_over",
    ),
    "record_outcome": ReferralAction(
        _police_head,
        _("Record the outcome (处理结果)"),
        _I + "OutcomeInput",
        ("record_outcome",),
        ("ps_outcome",),
        announces="referral_record_outcome",
    ),
}
# Each action's function is the one of the same name in workflows/actions.py.
REFERRAL_ACTIONS: dict[str, ReferralAction] = {
    name: replace(rule, run=f"workflows.actions.{name}") for name, rule in _DECLARED.items()
}


def may_referral(user: AnyUser, referral: Referral, action: str) -> bool:
    return REFERRAL_ACTIONS[action].who(user, referral)

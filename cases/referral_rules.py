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
    """The procuratorate asked; before anyone is asked, any procuratorate over the case's region."""
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
    run: str = field(default="", compare=False)  # dotted path; set from the name below

    def possible(self, referral: Referral) -> bool:
        """Allowed by the referral's state now (not asking who): one of its transitions can proceed."""
        return any(can_proceed(getattr(referral, method)) for method in self.transitions)


_I = "workflows.api."
_PROPOSED, _RECEIVED, _REJECTED = ("decide",), ("forward", "police_decision"), ("ask_reconsideration",)

_DECLARED: dict[str, ReferralAction] = {
    "approve": ReferralAction(_deciding_head, _("Approve the referral"), _I + "Empty", ("approve",), _PROPOSED),
    "refuse": ReferralAction(
        _deciding_head,
        _("Refuse the referral"),
        _I + "ReferralReasonInput",
        ("refuse",),
        _PROPOSED,
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
    ),
    "acknowledge": ReferralAction(_police_member, _("Sign the receipt"), _I + "Empty", ("acknowledge",), ("receipt",)),
    "forward": ReferralAction(
        _police_head,
        _("Forward to another police agency"),
        _I + "ForwardInput",
        ("forward",),
        ("receipt", *_RECEIVED),
        announces="referral_forward",
    ),
    "accept": ReferralAction(
        _police_head, _("Accept (立案)"), _I + "AcceptInput", ("accept",), _RECEIVED, announces="referral_accept"
    ),
    "reject": ReferralAction(
        _police_head,
        _("Reject (不予立案)"),
        _I + "ReferralReasonInput",
        ("reject",),
        _RECEIVED,
        announces="referral_reject",
    ),
    "request_reconsideration": ReferralAction(
        _referring_head,
        _("Request reconsideration"),
        _I + "ReferralReasonInput",
        ("request_reconsideration",),
        _REJECTED,
    ),
    "decide_reconsideration": ReferralAction(
        _police_head,
        _("Decide the reconsideration"),
        _I + "DecideReconsiderationInput",
        ("reconsider_accept", "reconsider_uphold"),
        ("decide_reconsideration",),
    ),
    "request_supervision": ReferralAction(
        _referring_head,
        _("Ask the procuratorate to supervise"),
        _I + "RequestSupervisionInput",
        ("request_supervision",),
        (*_REJECTED, "ask_procuratorate"),
        announces="referral_request_supervision",
    ),
    "resolve_supervision": ReferralAction(
        _procuratorate_asked,
        _("Resolve the supervision"),
        _I + "ResolveSupervisionInput",
        ("supervision_accept", "supervision_reject"),
    ),
    "accept_rejection": ReferralAction(
        _referring_head,
        _("Accept the rejection"),
        _I + "ReferralReasonInput",
        ("accept_rejection",),
        (*_REJECTED, "ask_procuratorate"),
    ),
    "hand_over": ReferralAction(
        _referring_staff, _("Hand over evidence and items"), _I + "HandOverInput", ("hand_over",), ("hand_over",)
    ),
}
# Each action's function is the one of the same name in workflows/actions.py.
REFERRAL_ACTIONS: dict[str, ReferralAction] = {
    name: replace(rule, run=f"workflows.actions.{name}") for name, rule in _DECLARED.items()
}


def may_referral(user: AnyUser, referral: Referral, action: str) -> bool:
    return REFERRAL_ACTIONS[action].who(user, referral)

"""Who may run each referral action (DESIGN §3 transition table). Declared once, used by the
referral's django-fsm transitions and by the list of actions shown to a caller."""

from agencies import jurisdiction

from .rules import is_handler


def _referring_head(user, referral) -> bool:
    return jurisdiction.is_head_of(user, referral.referring_agency_id)


def _referring_staff(user, referral) -> bool:
    """A handler of the case or the head of the referring agency."""
    return _referring_head(user, referral) or (
        jurisdiction.is_staff_of(user, referral.referring_agency_id) and is_handler(user, referral.case)
    )


def _police_member(user, referral) -> bool:
    return jurisdiction.role_in(user, referral.police_agency_id) is not None


def _police_head(user, referral) -> bool:
    return jurisdiction.is_head_of(user, referral.police_agency_id)


def _supervisor(user, referral) -> bool:
    return jurisdiction.supervises(user, referral.case.region)


def _procuratorate_asked(user, referral) -> bool:
    """The procuratorate asked; before anyone is asked, any procuratorate over the case's region."""
    if referral.procuratorate_id is not None:
        return jurisdiction.role_in(user, referral.procuratorate_id) is not None
    return any(
        m.agency.kind == "procuratorate" and referral.case.region.path.startswith(m.agency.region.path)
        for m in jurisdiction.memberships_of(user)
    )


def _deciding_head(user, referral) -> bool:
    """Four eyes: the head decides, never the one who proposed."""
    return _referring_head(user, referral) and user.pk != referral.proposed_by_id


REFERRAL_WHO = {
    "approve": _deciding_head,
    "refuse": _deciding_head,
    "endorse_refusal": _supervisor,
    "order_transfer": _supervisor,
    "transmit": _referring_staff,
    "acknowledge": _police_member,
    "forward": _police_head,
    "accept": _police_head,
    "reject": _police_head,
    "request_reconsideration": _referring_head,
    "decide_reconsideration": _police_head,
    "request_supervision": _referring_head,
    "resolve_supervision": _procuratorate_asked,
    "accept_rejection": _referring_head,
    "hand_over": _referring_staff,
}


def may_referral(user, referral, action: str) -> bool:
    return REFERRAL_WHO[action](user, referral)

"""Tips from the public, evidence files, leads from failed verifications, and the rate limits of
the public pages."""

import re
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Agency, Region
from cases import actions as case_actions
from cases.kinds import PartyKind
from cases.models import Case, CaseStatus
from cases.protocol import action, finish, lock
from cases.rules import home_agency, is_handler, may
from core.errors import Code, Conflict
from core.files import PDF_OR_IMAGE, check_upload, keep, read_kept
from core.identity import plain, redact
from notifications.announce import announce

from .batches import verify_for
from .models import Evidence, LeadProposal, RosterCheck, RosterLead, Tip, TipReply
from .verify import status_labels

# --- evidence files --------------------------------------------------------------------------


def store_evidence(case: Case, upload, *, by=None) -> Evidence:
    """Check size and type (by content, not by name), hash while reading, keep outside static."""
    checked = check_upload(upload, signatures=PDF_OR_IMAGE, limit=settings.EVIDENCE_MAX_BYTES)
    evidence = Evidence(
        case=case,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    keep(evidence.file, checked)
    evidence.save()
    return evidence


def read_evidence(evidence: Evidence) -> bytes:
    """The file's bytes, only if they still hash to what was recorded at upload."""
    return read_kept(evidence.file, evidence.sha256)


@action
def add_evidence(case: Case, upload, *, actor: User) -> Evidence:
    locked = lock(case)
    if not may(actor, locked, "add_person"):  # the handlers and the head, as for persons
        raise PermissionDenied(_("Only the case's handlers and head add evidence."))
    if locked.status in (CaseStatus.CLOSED, CaseStatus.DECLINED):
        # A concluded case's file is what it was concluded on (issue 17, §13).
        raise Conflict(Code.INVALID_TRANSITION, _("The case is closed or declined: no evidence can be added to it."))
    evidence = store_evidence(locked, upload, by=actor)
    finish(
        locked,
        actor=actor,
        action="add_evidence",
        agency=locked.agency,
        data={"evidence": evidence.pk, "name": evidence.name, "sha256": evidence.sha256, "size": evidence.size},
    )
    return evidence


# --- tips ------------------------------------------------------------------------------------

COARSE = {
    CaseStatus.LEAD: "received",
    CaseStatus.OPEN: "handling",
    CaseStatus.CLOSED: "concluded",
    CaseStatus.DECLINED: "concluded",
}


@action
def register_tip(*, city: Region, what: str, party_kind: str, party_name: str, contact: str = "", files=()) -> Tip:
    """举报: a lead in the city's work-safety regulator; the tipster keeps a tracking code."""
    regulator = Agency.objects.filter(kind=Agency.Kind.SAFETY_REGULATOR, region=city).first()
    if regulator is None:
        raise ValidationError({"city": [_("Choose a city.")]})
    party = {"kind": party_kind, "name": party_name or _("to be identified")}
    if party_kind == PartyKind.WEBSITE:
        party["url"] = "http://unknown.invalid/"
    # A tipster cannot be asked for a credit code: the organisation is named, its code comes later.
    case = case_actions.create_case(
        actor=None, agency=regulator, source="tip", region=city, party=party, summary=what, strict_party=False
    )
    tip = Tip.objects.create(code=new_tracking_code(), case=case, what=what, contact=contact)
    for upload in files:
        store_evidence(case, upload)
    announce("tip_received", case=case)
    return tip


# Letters and digits a tipster cannot confuse when reading the code out or typing it (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # about 79 bits: not to be guessed, even at the tracking page's rate limit


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def find_tip(code: str) -> Tip | None:
    """The tip of a tracking code as the tipster types it: in any case, spaces around it and
    dashes between its groups ignored (older codes hold lower-case letters, - and _: they are found in any case too)."""
    code = (code or "").strip()
    if not code or len(code) > 24:
        return None
    # A code copied in groups ("GVBV-MJVX …"): new codes hold neither - nor spaces.
    compact = code.replace("-", "").replace(" ", "")
    return Tip.objects.select_related("case").filter(Q(code__iexact=code) | Q(code__iexact=compact)).first()


def tip_status(code: str) -> str | None:
    tip = find_tip(code)
    return COARSE[tip.case.status] if tip else None


def sees_tipster(user: User, case: Case) -> bool:
    """The tipster's contact is for the officers handling the tip (the case's handlers, as for
    identity numbers): to everyone else who sees the case it is masked."""
    return bool(user.is_authenticated and is_handler(user, case))


def may_reply(user: User, case: Case) -> bool:
    """Who answers the tipster: the case's handlers and the head of its agency (a declined lead has
    no handlers), by the rule of the handlers' actions."""
    return bool(user.is_authenticated and may(user, case, "add_person"))


def mask_contact(contact: str) -> str:
    """138****0000, z***@example.com, 王*: enough to tell two tipsters apart, not to call one."""
    contact = contact.strip()
    if not contact:
        return ""
    if "@" in contact:
        local, _at, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = re.sub(r"\D", "", contact)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return contact[:1] + "*" * max(len(contact) - 1, 2)


REPLY_MAX = 2000


@transaction.atomic
def reply_to_tip(tip: Tip, text: str, *, actor: User) -> TipReply:
    """An answer to the tipster, shown on the tracking page of the tip's code (its text and date).
    Not a case action: it changes nothing of the case, and the reply keeps its author and time."""
    case = lock(tip.case)
    if not may_reply(actor, case):
        raise PermissionDenied(_("Only the officers handling the tip and the head of its agency answer the tipster."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the answer to the tipster.")]})
    if len(text) > REPLY_MAX:
        raise ValidationError({"text": [_("At most %(max)s characters.") % {"max": f"{REPLY_MAX:,}"}]})
    return TipReply.objects.create(tip=tip, text=text, author=actor)


# --- a lead from a failed verification -------------------------------------------------------

SUGGESTED_FINDING = {
    # Without a case a check answers no_match for both of the next two; the lead, once it is a case,
    # verifies the number again in its context and proposes the finding of the full answer.
    "no_match": "forged_certificate",
    "not_found": "forged_certificate",
    "revoked": "forged_certificate",
    "name_mismatch": "lent_certificate",
    "expired": "lent_certificate",
    # A certificate not reviewed in time is invalid (特种作业人员安全技术培训考核管理规定): its holder
    # works without a valid certificate, the employer's 安全生产法 第97条第(七)项.
    "review_overdue": "unlicensed_operation",
}


@action
def lead_from_verification(
    *,
    actor: User,
    region: Region | None,
    number: str,
    name: str,
    status: str,
    employer: str = "",
    credit_code: str = "",
) -> Case:
    if status not in SUGGESTED_FINDING:
        raise ValidationError({"status": [_("Only a failed verification opens a lead.")]})
    home = home_agency(actor)
    if home is None:
        raise PermissionDenied(_("Only officers and heads of a regulator can open cases."))
    region = region or (home.region if home.region.level == "city" else None)
    if region is None:
        raise ValidationError({"region": [_("Choose the region of the lead.")]})
    # Stored text, read by the whole office: written in the offices' language, whoever asks in
    # which language, and the registry's answer in words, never its code.
    with translation.override(settings.LANGUAGE_CODE):
        party = {"kind": "employer", "name": employer or _("the employer of %(name)s") % {"name": name}}
    if credit_code:
        party["credit_code"] = credit_code
    number = plain(number)  # one spelling, as the registry is searched
    case = case_actions.create_case(
        actor=actor,
        source="verification",
        region=region,
        party=party,
        summary=_lead_summary(number, name, status),
        strict_party=bool(credit_code),
    )
    # The registry's answer in the case's context, never the caller's word for it: a lead cannot
    # record a verification that did not say so.
    status = _full_status(actor, case, number, name)
    if status not in SUGGESTED_FINDING:
        raise ValidationError(
            {
                "status": [
                    _("The registry holds this certificate as %(status)s for this name: no lead to open.")
                    % {"status": status_labels().get(status, status)}
                ]
            }
        )
    LeadProposal.objects.create(
        case=case, name=name, certificate_number=number, verification=status, finding_kind=SUGGESTED_FINDING[status]
    )
    return case


def _lead_summary(number: str, name: str, status: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Certificate %(number)s of %(name)s: verification says %(status)s.") % {
            "number": redact(number),  # the ID number inside it, masked like everywhere else
            "name": name,
            "status": status_labels()[status],
        }


class LeadExists(Exception):
    """The row opened its lead before: `lead` is that link."""

    def __init__(self, lead: RosterLead):
        super().__init__(lead.case.number)
        self.lead = lead


def row_lead(roster: RosterCheck, row: int) -> RosterLead | None:
    return RosterLead.objects.select_related("case").filter(roster=roster, row=row).first()


def lead_from_roster_row(roster: RosterCheck, row: int, *, actor: User) -> Case:
    """登记线索 for one row of a roster, at most once: a second click, a second POST or two at once
    find the lead the first opened (LeadExists), and open no other."""
    try:
        with transaction.atomic():
            # Two clicks at once queue on the roster's row; the unique (roster, row) is the last word.
            RosterCheck.objects.select_for_update().filter(pk=roster.pk).first()
            existing = row_lead(roster, row)
            if existing is not None:
                raise LeadExists(existing)
            item = roster.results[row]
            case = lead_from_verification(
                actor=actor,
                region=None,
                number=item["number"],
                name=item["name"],
                status=item["status"],
                employer=roster.employer,
            )
            RosterLead.objects.create(roster=roster, row=row, case=case)
            return case
    except IntegrityError:
        # Another request made the lead between our look and our write: everything of this one
        # (its case too) was rolled back; the other's lead is the row's.
        existing = row_lead(roster, row)
        if existing is None:
            raise
        raise LeadExists(existing) from None


def _full_status(actor: User, case: Case, number: str, name: str) -> str:
    """The registry's full answer, now that there is a case to verify for (recorded as its batch)."""
    results, _batch = verify_for(actor, [{"number": number, "name": name}], purpose="case", case=case, quota=False)
    return str(results[0]["status"])

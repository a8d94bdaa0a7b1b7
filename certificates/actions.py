"""Tips from the public, evidence files, leads from failed verifications, and the rate limits of
the public pages."""

import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from agencies.models import Agency, Region
from cases import actions as case_actions
from cases.kinds import PartyKind
from cases.models import Case, CaseStatus
from cases.protocol import action, finish, lock
from cases.rules import home_agency, may
from core.errors import Code, Conflict
from core.files import PDF_OR_IMAGE, check_upload, keep, read_kept
from core.identity import plain, redact
from notifications.announce import announce

from .batches import verify_for
from .models import Evidence, LeadProposal, Tip
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
    tip = Tip.objects.create(code=secrets.token_urlsafe(12), case=case, what=what, contact=contact)
    for upload in files:
        store_evidence(case, upload)
    announce("tip_received", case=case)
    return tip


def tip_status(code: str) -> str | None:
    tip = Tip.objects.select_related("case").filter(code=code).first()
    return COARSE[tip.case.status] if tip else None


# --- a lead from a failed verification -------------------------------------------------------

SUGGESTED_FINDING = {
    # Without a case a check answers no_match for both of the next two; the lead, once it is a case,
    # verifies the number again in its context and proposes the finding of the full answer.
    "no_match": "forged_certificate",
    "not_found": "forged_certificate",
    "revoked": "forged_certificate",
    "name_mismatch": "lent_certificate",
    "expired": "lent_certificate",
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
    party = {"kind": "employer", "name": employer or _("the employer of %(name)s") % {"name": name}}
    if credit_code:
        party["credit_code"] = credit_code
    number = plain(number)  # one spelling, as the registry is searched
    summary = _("Certificate %(number)s of %(name)s: verification says %(status)s.") % {
        "number": redact(number),  # the ID number inside it, masked like everywhere else
        "name": name,
        "status": status_labels().get(status, status),
    }
    case = case_actions.create_case(
        actor=actor, source="verification", region=region, party=party, summary=summary, strict_party=bool(credit_code)
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


def _full_status(actor: User, case: Case, number: str, name: str) -> str:
    """The registry's full answer, now that there is a case to verify for (recorded as its batch)."""
    results, _batch = verify_for(actor, [{"number": number, "name": name}], purpose="case", case=case, quota=False)
    return str(results[0]["status"])

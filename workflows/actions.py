"""Referral actions (两法衔接, DESIGN §3, LEGAL.md §2): one function per action of the table.

Each locks the case and the referral, checks who may act (403) and the state (409), changes
the referral through its django-fsm transition, closes and opens the legal deadlines of the
table, moves the workflow's tasks, appends one event to the case's chain and writes the
notifications — in one transaction.
"""

import datetime
import functools
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from agencies import jurisdiction
from agencies.models import Agency
from cases.actions import referred_subjects
from cases.kinds import FINDING_RULES, ReferralKind
from cases.models import (
    REQUIRED_DOCUMENTS,
    SENT_REFERRAL_STATUSES,
    Case,
    CaseGroupObjectPermission,
    Person,
    Referral,
    ReferralDocument,
    ReferralStatus,
)
from cases.protocol import action, announce, begin_case, finish, lock, title_of
from cases.referral_rules import REFERRAL_ACTIONS, may_referral
from cases.rules import CASE_ACTIONS
from certificates.actions import store_evidence
from certificates.models import Evidence
from core.access import AnyUser
from core.calendar import due_after_date, legal_time
from core.errors import Code, Conflict, field_error
from core.files import PDF_OR_IMAGE, check_upload

from . import deadlines, flows, steps
from .documents import PAPERS
from .models import Deadline, ReferralFile, ReferralRecord
from .steps import STEPS

R = ReferralStatus
K = ReferralKind
VIEW_CASE = "cases.view_case"


def _lock(referral: Referral) -> tuple[Case, Referral]:
    case = lock(referral.case_id)
    locked = (
        Referral.objects.select_for_update(of=("self",))
        # The proposer is told of the decisions on the proposal (announce.py).
        .select_related(
            "referring_agency", "police_agency__region", "procuratorate", "forwarded_from", "record", "proposed_by"
        )
        .get(pk=referral.pk)
    )
    locked.case = case
    return case, locked


def _why_not(referral: Referral, action: str) -> str:
    """Why an action the referral's status allows is refused all the same (a transition condition)."""
    if action == "forward" and referral.forwarded_from_id is not None:
        return _(
            "This referral was already forwarded once, from %(agency)s: the police it was forwarded to decide it "
            "(国务院令第310号 第7条). If they are not competent either, tell the agency that it is not police business."
        ) % {"agency": referral.forwarded_from.name if referral.forwarded_from else ""}
    if action == "request_supplement" and not referral.criminal:
        return _(
            "A public-security referral has no 补正 under 程序规定 第180条: register it (受理) and ask the agency "
            "for what is missing, or do not register it and say why."
        )
    if action in ("request_reconsideration", "request_supervision") and not referral.criminal:
        return _(
            "A public-security referral has no 补正, reconsideration or procuratorate supervision under "
            "国务院令第310号: accept the rejection and decide the administrative penalty, or refer it again as a "
            "suspected crime."
        )
    if action == "record_outcome":
        return _("Only a public-security referral records the police's outcome here, and only once.")
    if action == "request_explanation":
        return _("The police have already been asked to explain why they did not file the case.")
    if action == "explain":
        return _("The procuratorate has not asked for an explanation, or it has been given.")
    if action == "resolve_supervision":
        return _(
            "Ask the police to explain why they did not file the case first (刑事诉讼法 第113条); order the filing "
            "once their reasons do not stand."
        )
    return ""


def _begin_referral(
    referral: Referral,
    actor: User,
    action: str,
    method: str | None = None,
    *,
    received_on: datetime.date | None = None,
) -> tuple[Case, Referral]:
    case, referral = _lock(referral)
    if not may_referral(actor, referral, action):
        raise PermissionDenied(_("You may not run “%(action)s” on this referral.") % {"action": title_of(action)})
    transition = getattr(referral, method or action)
    if not can_proceed(transition):
        reason = _why_not(referral, action) if can_proceed(transition, check_conditions=False) else ""
        raise Conflict(
            Code.INVALID_TRANSITION,
            reason
            or _("“%(action)s” is not possible while the referral is %(status)s.")
            % {"action": title_of(action), "status": referral.status_label},
        )
    _check_time_bar(referral, action, received_on)
    return case, referral


def _check_time_bar(referral: Referral, action: str, received_on: datetime.date | None = None) -> None:
    """409 `deadline_passed` once the period that bars `action` has run out (its latest opening:
    a referral forwarded to another police agency opens the police's periods again). A period
    that runs from the receipt of a paper (自接到…通知书之日起) runs from `received_on` when the
    agency says it received the paper later than Xianjie delivered it."""
    step = steps.barring(action)
    if step is None:
        return
    latest = Deadline.objects.filter(referral=referral, step=step).order_by("-starts_at", "-pk").first()
    if latest is None:
        return
    due = latest.due_at
    if received_on is not None:
        due = max(due, due_after_date(received_on, steps.period_for(step)))
    if due <= timezone.now():
        raise Conflict(
            Code.DEADLINE_PASSED,
            _("The time for “%(action)s” has run out: %(step)s ended at %(due)s (%(period)s, %(basis)s).")
            % {
                "action": title_of(action),
                "step": STEPS[step].label,
                "due": legal_time(due),
                "period": steps.period_for(step),
                "basis": STEPS[step].basis_display,
            },
        )


def _finish_referral(
    case: Case,
    referral: Referral,
    actor: User,
    action: str,
    from_status: str,
    data: dict[str, Any],
    **facts: Any,
) -> None:
    referral.save()
    deadlines.meet(steps=REFERRAL_ACTIONS[action].settles, by=action, referral=referral)
    deadlines.open_referral_steps(case, referral, action=action, changed=referral.status != from_status)
    agency = jurisdiction.acting_agency(
        actor, [referral.referring_agency_id, referral.police_agency_id, referral.procuratorate_id]
    )
    finish(
        case,
        actor=actor,
        action=action,
        agency=agency,
        from_status=from_status,
        to_status=referral.status,
        data={"referral": referral.pk, "number": referral.number} | data,
        referral=referral,
    )
    flows.advance(referral, actor, action)
    rule = REFERRAL_ACTIONS[action]
    if rule.announces:
        announce(rule.announces, case=case, referral=referral, **facts)
    if rule.copies and referral.criminal:  # 应急〔2019〕54号 第8条 concerns suspected crimes
        announce(rule.copies, case=case, referral=referral, **facts)


def police_of_province(slug: str, case: Case) -> Agency:
    """A police agency a referral of this case may go to: any of the case's province, so a crime
    committed in another city goes to that city's police (犯罪地), never one of another province —
    across provinces the police hand a case on among themselves."""
    police = Agency.objects.filter(slug=slug, kind=Agency.Kind.POLICE).select_related("region").first()
    if police is None:
        raise field_error("police_agency", _("%(slug)s is not a police agency.") % {"slug": slug})
    province = case.region.ancestor_codes()[0]
    if police.region.ancestor_codes()[0] != province:
        raise field_error(
            "police_agency",
            _("%(agency)s is outside the case's province: choose a police agency of the province.")
            % {"agency": police.name},
        )
    return police


@functools.cache
def view_case_permission() -> Permission:
    """guardian's view_case permission (read once per process)."""
    return Permission.objects.get(content_type__app_label="cases", codename="view_case")


def _grant(referral: Referral, police_agency: Agency) -> None:
    """guardian's grant of the case to the police agency's group (assign_perm, in one insert)."""
    CaseGroupObjectPermission.objects.bulk_create(
        [
            CaseGroupObjectPermission(
                permission=view_case_permission(), group_id=police_agency.group_id, content_object=referral.case
            )
        ],
        ignore_conflicts=True,  # granted already (unique per group, permission and case)
    )


def _revoke(case: Case, agency: Agency) -> None:
    """guardian's remove_perm of the case from the agency's group, in one delete."""
    CaseGroupObjectPermission.objects.filter(
        permission=view_case_permission(), group_id=agency.group_id, content_object=case
    ).delete()


def _findings_of(case: Case, person: Person | None) -> list[Any]:
    """The referable findings of a person (None: the party itself)."""
    pk = person.pk if person else None
    return [f for f in case.findings.all() if f.person_id == pk and FINDING_RULES[f.kind].referable]


def default_kind(persons: list[Person], case: Case, include_party: bool) -> dict[str, set[str]]:
    """How each subject goes to the police by its referable findings (LEGAL.md §2): kind → names.
    A subject with a finding that is a suspected crime goes as criminal."""
    kinds: dict[str, set[str]] = {}
    subjects: list[tuple[str, Person | None]] = [(p.name, p) for p in persons]
    if include_party:
        subjects.append((case.party_name, None))
    for name, person in subjects:
        suggested = {FINDING_RULES[f.kind].referral_kind for f in _findings_of(case, person)}
        if suggested:
            kinds.setdefault(K.CRIMINAL if K.CRIMINAL in suggested else K.PUBLIC_SECURITY, set()).add(name)
    return kinds


def _check_subjects(persons: list[Person], case: Case, include_party: bool, kind: str) -> None:
    """Every subject has a referable finding and, for the chosen kind, an offence the letter can name."""
    subjects: list[tuple[str, Person | None]] = [(p.name, p) for p in persons]
    if include_party:
        subjects.append((case.party_name, None))
    field = "include_party" if include_party and not persons else "persons"
    nothing = [name for name, person in subjects if not _findings_of(case, person)]
    if nothing:
        raise field_error(
            field,
            _("No finding that goes to the police is recorded for %(names)s: record it first.")
            % {"names": "、".join(nothing)},
        )
    unnamed = [
        name
        for name, person in subjects
        if not any(FINDING_RULES[f.kind].offence_for(kind) for f in _findings_of(case, person))
    ]
    if unnamed:
        raise field_error(
            "kind",
            _("What %(names)s did is not a matter for a %(kind)s referral.")
            % {"names": "、".join(unnamed), "kind": K(kind).label},
        )


# --- proposal ---------------------------------------------------------------------------------


@action
def propose_referral(
    case: Case,
    *,
    actor: User,
    persons: list[int],
    report: str,
    police_agency: str | None = None,
    include_party: bool = False,
    kind: str | None = None,
    kind_reason: str = "",
    version: int | None = None,
) -> Referral:
    """移送建议: a handler proposes; the head decides within 3 days (never the proposer).

    The findings decide how it goes (LEGAL.md §2): a suspected crime as criminal, a 治安 matter
    (using a forged certificate) as public security; the proposer may choose the other kind with
    a reason on the record. Subjects whose findings go different ways are proposed separately."""
    case = begin_case(case, actor=actor, action="propose_referral", version=version)
    # Read below for every subject (and for the referral's number): loaded once.
    prefetch_related_objects([case], "findings", "referrals__persons")
    chosen = list(case.persons.filter(pk__in=persons))
    if len(chosen) != len(set(persons)):
        unknown = sorted(set(persons) - {p.pk for p in chosen})
        raise field_error("persons", _("Not persons of this case: %(ids)s.") % {"ids": ", ".join(map(str, unknown))})
    if not chosen and not include_party:
        raise field_error("persons", _("Choose at least one person to refer."))
    already, party_already = referred_subjects(case, exclude=(R.REFUSED, R.REFUSAL_ENDORSED))
    twice = [p.name for p in chosen if p.pk in already]
    if twice:
        raise field_error("persons", _("Already in a referral of this case: %(names)s.") % {"names": "、".join(twice)})
    if include_party and party_already:
        raise field_error("include_party", _("The party is already in a referral of this case."))
    if police_agency:
        police = police_of_province(police_agency, case)
    else:
        same_city = jurisdiction.same_city_agency(case.region, Agency.Kind.POLICE)
        if same_city is None:
            raise field_error("police_agency", _("There is no police agency for this region; name one."))
        police = same_city
    suggested = default_kind(chosen, case, include_party)
    if kind is None:
        if len(suggested) > 1:
            raise field_error(
                "persons",
                _(
                    "%(criminal)s would go as a suspected crime and %(ps)s as a public-security matter: propose them "
                    "in separate referrals, or choose one kind with a reason."
                )
                % {
                    "criminal": "、".join(sorted(suggested[K.CRIMINAL])),
                    "ps": "、".join(sorted(suggested[K.PUBLIC_SECURITY])),
                },
            )
        kind = next(iter(suggested), K.CRIMINAL)
    _check_subjects(chosen, case, include_party, kind)
    if set(suggested) - {kind} and not kind_reason.strip():
        raise field_error(
            "kind_reason",
            _("The findings suggest another kind of referral for %(names)s: give the reason for %(kind)s.")
            % {
                "names": "、".join(sorted(n for k, names in suggested.items() if k != kind for n in names)),
                "kind": K(kind).label,
            },
        )
    referral = Referral.objects.create(
        number=f"{case.number}-R{case.referrals.count() + 1:02d}",
        case=case,
        includes_party=include_party,
        kind=kind,
        kind_reason=kind_reason.strip() if set(suggested) - {kind} else "",
        referring_agency=case.agency,
        police_agency=police,
        report=report,
        proposed_by=actor,
    )
    vars(case).get("_prefetched_objects_cache", {}).pop("referrals", None)  # loaded above, without this one
    referral.persons.add(*chosen)  # a new referral: nothing to replace
    ids = [p.pk for p in chosen]
    # The 3-day clock of 逾期不移送 stops for these subjects.
    deadlines.meet(steps=("propose_referral",), by="propose_referral", case=case, finding__person__in=ids)
    if include_party:
        deadlines.meet(steps=("propose_referral",), by="propose_referral", case=case, finding__person__isnull=True)
    deadlines.open_referral_steps(case, referral, action="propose_referral")  # the head's 3 days to decide
    finish(
        case,
        actor=actor,
        action="propose_referral",
        data={
            "referral": referral.pk,
            "number": referral.number,
            "persons": sorted(ids),
            "party": include_party,
            "police_agency": police.slug,
            "kind": kind,
            "kind_reason": referral.kind_reason,
        },
        referral=referral,
    )
    flows.start(referral)
    announce(CASE_ACTIONS["propose_referral"].announces, case=case, referral=referral)
    return referral


# --- the road ---------------------------------------------------------------------------------


def record_of(referral: Referral) -> ReferralRecord | None:
    """The referral's record of its decisions (审批意见, 立案), if any was written."""
    try:
        return referral.record
    except ReferralRecord.DoesNotExist:
        return None


def _record(referral: Referral) -> ReferralRecord:
    """The referral's record, loaded with the locked referral (`_lock`), or a new one its `save()`
    inserts: the referral's row lock keeps a second one from being made meanwhile."""
    record = record_of(referral)
    if record is None:
        record = ReferralRecord(referral=referral)
        referral.record = record
    return record


def _keep_opinion(referral: Referral, actor: User, decision: str, opinion: str) -> None:
    """审批意见: what the head wrote on the proposal, as written (310号令 第5条)."""
    record = _record(referral)
    record.decision, record.opinion, record.opinion_by, record.opinion_at = decision, opinion, actor, timezone.now()
    record.save()


@action
def approve(referral: Referral, *, actor: User, opinion: str = "") -> Referral:
    """批准移送, with the head's opinion (optional: an approval may say no more than its yes)."""
    case, referral = _begin_referral(referral, actor, "approve")
    referral.approve(by=actor)
    opinion = opinion.strip()
    _keep_opinion(referral, actor, "approve", opinion)
    _finish_referral(case, referral, actor, "approve", R.PROPOSED, {"opinion": opinion})
    return referral


@action
def refuse(referral: Referral, *, actor: User, reason: str, opinion: str = "") -> Referral:
    """不批准移送: the reasons are on record (310号令 第5条); they are the head's opinion unless
    the head writes the opinion apart."""
    case, referral = _begin_referral(referral, actor, "refuse")
    if not reason.strip():
        raise field_error("reason", _("Say why the referral is refused."))
    referral.refuse(by=actor, reason=reason)
    opinion = opinion.strip() or reason.strip()
    _keep_opinion(referral, actor, "refuse", opinion)
    _finish_referral(case, referral, actor, "refuse", R.PROPOSED, {"reason": reason, "opinion": opinion})
    return referral


@action
def endorse_refusal(referral: Referral, *, actor: User, note: str) -> Referral:
    case, referral = _begin_referral(referral, actor, "endorse_refusal")
    referral.endorse_refusal(note=note)
    _finish_referral(case, referral, actor, "endorse_refusal", R.REFUSED, {"note": note})
    return referral


@action
def order_transfer(referral: Referral, *, actor: User, note: str) -> Referral:
    case, referral = _begin_referral(referral, actor, "order_transfer")
    referral.order_transfer(note=note)
    _finish_referral(case, referral, actor, "order_transfer", R.REFUSED, {"note": note})
    return referral


def _check_file(upload: Any, field: str) -> None:
    """core.files' checks of an upload, before anything is kept (it is kept as the case's file)."""
    check_upload(upload, signatures=PDF_OR_IMAGE, limit=settings.EVIDENCE_MAX_BYTES, field=field)
    upload.seek(0)
    # The name is kept as text: no control character (a NUL is no text for the database).
    upload.name = "".join(ch for ch in str(upload.name) if unicodedata.category(ch) != "Cc").strip() or "file"


def _package_files(case: Case, files: list[dict[str, Any]]) -> list[tuple[str, str, Evidence | None, Any]]:
    """The package's files as (kind, title, a file of the case, an upload): the chosen files must be
    the case's own, and every upload passes core.files' checks before anything is kept."""
    wanted = {f["evidence"] for f in files if f.get("evidence")}
    known = {e.pk: e for e in Evidence.objects.filter(case=case, pk__in=wanted)}
    unknown = sorted(wanted - set(known))
    if unknown:
        raise field_error(
            "files", _("Not files of this case: %(ids)s.") % {"ids": ", ".join(f"#{pk}" for pk in unknown)}
        )
    out: list[tuple[str, str, Evidence | None, Any]] = []
    seen: set[tuple[str, int]] = set()
    for f in files:
        kind, title, upload = f["kind"], (f.get("title") or "").strip(), f.get("upload")
        if upload is not None:
            _check_file(upload, f"package_{kind}")
            out.append((kind, title, None, upload))
        elif f.get("evidence"):
            evidence = known[f["evidence"]]
            if (kind, evidence.pk) not in seen:
                seen.add((kind, evidence.pk))
                out.append((kind, title or evidence.name, evidence, None))
    return out


@action
def transmit(
    referral: Referral,
    *,
    actor: User,
    documents: list[dict[str, str]] | None = None,
    files: list[dict[str, Any]] | None = None,
) -> Referral:
    """移送 (310号令 第6条): the transfer letter, the investigation report, the evidence list and the
    other materials — named (`documents`), or files of the case chosen or uploaded (`files`: each
    kept among the case's files and listed on the letter). With files, the letter is Xianjie's own
    移送书 unless a file of that kind is sent."""
    case, referral = _begin_referral(referral, actor, "transmit")
    documents, files = list(documents or []), list(files or [])
    package = _package_files(case, files)
    kinds = {d["kind"] for d in documents} | {kind for kind, *_rest in package}
    if package and ReferralDocument.Kind.TRANSFER_LETTER not in kinds:
        documents.insert(0, {"kind": ReferralDocument.Kind.TRANSFER_LETTER, "title": PAPERS["letter"].title(referral)})
        kinds.add(ReferralDocument.Kind.TRANSFER_LETTER)
    missing = [ReferralDocument.Kind(k).label for k in REQUIRED_DOCUMENTS if k not in kinds]
    if missing:
        raise ValidationError({"documents": [_("Missing: %(kinds)s.") % {"kinds": "、".join(str(m) for m in missing)}]})
    ReferralDocument.objects.bulk_create(
        ReferralDocument(referral=referral, kind=d["kind"], title=d["title"], added_by=actor) for d in documents
    )
    sent: list[dict[str, Any]] = []
    for kind, title, evidence, upload in package:
        if evidence is None:
            evidence = store_evidence(case, upload, by=actor)
            title = title or evidence.name
        document = ReferralDocument.objects.create(referral=referral, kind=kind, title=title[:200], added_by=actor)
        ReferralFile.objects.create(document=document, evidence=evidence)
        sent.append({"kind": kind, "evidence": evidence.pk, "name": evidence.name, "sha256": evidence.sha256})
    referral.transmit()
    _grant(referral, referral.police_agency)
    data: dict[str, Any] = {"documents": [d["kind"] for d in documents] + [f["kind"] for f in sent]}
    if sent:
        data["files"] = sent
    _finish_referral(case, referral, actor, "transmit", R.APPROVED, data)
    return referral


@action
def acknowledge(referral: Referral, *, actor: User) -> Referral:
    """回执 (310号令 第7条): the police sign the receipt; the signer and the time are recorded."""
    case, referral = _begin_referral(referral, actor, "acknowledge")
    referral.acknowledge(by=actor)
    _finish_referral(case, referral, actor, "acknowledge", R.TRANSMITTED, {})
    return referral


@action
def forward(referral: Referral, *, actor: User, police_agency: str, reason: str) -> Referral:
    """Not competent (310号令 第7条): sent on, once, to the competent police agency, which gets the
    case instead; the referring agency is told in writing (the 转送告知书)."""
    case, referral = _begin_referral(referral, actor, "forward")
    target = police_of_province(police_agency, referral.case)
    if target.pk == referral.police_agency_id:
        raise field_error("police_agency", _("The referral is already with %(agency)s.") % {"agency": target.name})
    from_status, previous = referral.status, referral.police_agency
    referral.forward(to=target, reason=reason)
    still_theirs = case.referrals.filter(police_agency=previous, status__in=SENT_REFERRAL_STATUSES).exclude(
        pk=referral.pk
    )
    if not still_theirs.exists():  # another referral of the case still with them keeps the case open to them
        _revoke(case, previous)
    _grant(referral, target)
    _finish_referral(
        case,
        referral,
        actor,
        "forward",
        from_status,
        {"from": previous.slug, "to": target.slug, "reason": reason},
        previous=previous,
    )
    return referral


@action
def request_supplement(referral: Referral, *, actor: User, items: str) -> Referral:
    """补正 (程序规定 第180条): materials incomplete — asked within 24 hours of receipt, never a
    refusal; the agency supplements within 3 days and the decision's 3 days start again then."""
    case, referral = _begin_referral(referral, actor, "request_supplement")
    referral.request_supplement(items=items)
    _finish_referral(case, referral, actor, "request_supplement", R.RECEIVED, {"items": items})
    return referral


@action
def supplement(
    referral: Referral, *, actor: User, note: str, documents: list[dict[str, str]] | None = None
) -> Referral:
    """The agency sends what the police asked for; the police decide within 3 days from now."""
    case, referral = _begin_referral(referral, actor, "supplement")
    documents = documents or []
    if not documents:
        raise field_error("documents", _("A supplement sends at least one document the police asked for."))
    if any(d["kind"] == ReferralDocument.Kind.TRANSFER_LETTER for d in documents):
        raise field_error("documents", _("The transfer letter was sent with the referral: supplement the materials."))
    ReferralDocument.objects.bulk_create(
        ReferralDocument(referral=referral, kind=d["kind"], title=d["title"], added_by=actor) for d in documents
    )
    referral.supplement(note=note)
    _finish_referral(
        case,
        referral,
        actor,
        "supplement",
        R.SUPPLEMENT_REQUESTED,
        {"note": note, "documents": [d["title"] for d in documents]},
    )
    return referral


@action
def decline_jurisdiction(referral: Referral, *, actor: User, reason: str, competent_body: str = "") -> Referral:
    """Not police business (程序规定 第180条): a written notice that the agency hands it to the
    competent body. The agency then settles it (accept_rejection) or, for a suspected crime, asks the
    procuratorate."""
    case, referral = _begin_referral(referral, actor, "decline_jurisdiction")
    from_status = referral.status
    referral.decline_jurisdiction(reason=reason, competent_body=competent_body)
    _finish_referral(
        case,
        referral,
        actor,
        "decline_jurisdiction",
        from_status,
        {"reason": reason, "competent_body": competent_body},
    )
    return referral


def _filing_day(referral: Referral, filed_on: datetime.date | None) -> datetime.date:
    """立案日期: not in the future, not before the police received the referral (回执)."""
    today = timezone.localdate()
    if filed_on is None:
        return today
    if filed_on > today:
        raise field_error("filed_on", _("The filing date cannot be in the future."))
    received = referral.received_at or referral.transmitted_at
    if received is not None and filed_on < timezone.localdate(received):
        raise field_error(
            "filed_on",
            _("The filing date cannot be before the referral was received (%(day)s).")
            % {"day": timezone.localdate(received).isoformat()},
        )
    return filed_on


@action
def accept(
    referral: Referral,
    *,
    actor: User,
    police_case_number: str,
    filed_on: datetime.date | None = None,
    charge: str = "",
    filing_decision: Any = None,
) -> Referral:
    """立案 (a suspected crime), or 受理 (a public-security matter); also the filing the
    procuratorate ordered (程序规定 第182条: within 15 days of the order). Recorded with its date
    (today unless given), the charge (罪名, or the 案由 of a public-security matter), the number and
    the 立案决定书 (受案登记表), kept among the case's files."""
    case, referral = _begin_referral(referral, actor, "accept")
    if not police_case_number.strip():
        raise field_error("police_case_number", _("Give the police case number."))
    day = _filing_day(referral, filed_on)
    if filing_decision is not None:
        _check_file(filing_decision, "filing_decision")
    from_status = referral.status
    referral.accept(police_case_number=police_case_number)
    record = _record(referral)
    record.filed_on, record.charge = day, charge.strip()
    data: dict[str, Any] = {"police_case_number": police_case_number, "filed_on": day.isoformat()}
    if record.charge:
        data["charge"] = record.charge
    if filing_decision is not None:
        kept = store_evidence(case, filing_decision, by=actor)
        record.filing_decision = kept
        data["filing_decision"] = {"evidence": kept.pk, "name": kept.name, "sha256": kept.sha256}
    record.save()
    _finish_referral(case, referral, actor, "accept", from_status, data)
    return referral


@action
def reject(referral: Referral, *, actor: User, reason: str) -> Referral:
    """不予立案 (不予受理), with the reasons on the written notice; a copy goes to the procuratorate."""
    case, referral = _begin_referral(referral, actor, "reject")
    referral.reject(reason=reason)
    _finish_referral(case, referral, actor, "reject", R.RECEIVED, {"reason": reason})
    return referral


@action
def request_reconsideration(
    referral: Referral, *, actor: User, reason: str, notice_received_on: datetime.date | None = None
) -> Referral:
    """提请复议, within 3 days of receiving the 不予立案 notice (国务院令第310号 第9条). The period runs
    from the rejection, when Xianjie delivered the notice; `notice_received_on` is the day the
    agency received it, when that was later (a paper notice): the period then runs from that day."""
    if notice_received_on is not None:
        rejected_on = timezone.localdate(referral.rejected_at) if referral.rejected_at else None
        if rejected_on is not None and notice_received_on < rejected_on:
            raise field_error(
                "notice_received_on",
                _("The notice cannot have been received before the rejection (%(day)s).") % {"day": rejected_on},
            )
        if notice_received_on > timezone.localdate():
            raise field_error("notice_received_on", _("The day the notice was received cannot be in the future."))
    case, referral = _begin_referral(referral, actor, "request_reconsideration", received_on=notice_received_on)
    referral.request_reconsideration(reason=reason)
    data: dict[str, Any] = {"reason": reason}
    if notice_received_on is not None:
        data["notice_received_on"] = notice_received_on.isoformat()
    _finish_referral(case, referral, actor, "request_reconsideration", R.REJECTED, data)
    return referral


@action
def decide_reconsideration(
    referral: Referral, *, actor: User, accept: bool, reason: str, police_case_number: str = ""
) -> Referral:
    method = "reconsider_accept" if accept else "reconsider_uphold"
    case, referral = _begin_referral(referral, actor, "decide_reconsideration", method)
    if accept:
        if not police_case_number:
            raise field_error("police_case_number", _("Accepting needs the police case number."))
        referral.reconsider_accept(reason=reason, police_case_number=police_case_number)
    else:
        referral.reconsider_uphold(reason=reason)
    _finish_referral(
        case,
        referral,
        actor,
        "decide_reconsideration",
        R.RECONSIDERATION,
        {"accept": accept, "reason": reason, "police_case_number": police_case_number},
    )
    return referral


def competent_procuratorates(police: Agency) -> list[Agency]:
    """The procuratorates that supervise the filing of this police agency: of its own region, and
    of the region above it (LEGAL.md §2; 刑事诉讼法 第113条)."""
    regions = [police.region_id] + ([police.region.parent_id] if police.region.parent_id else [])
    return list(
        Agency.objects.filter(kind=Agency.Kind.PROCURATORATE, region__in=regions).order_by("-region__code", "slug")
    )


@action
def request_supervision(referral: Referral, *, actor: User, procuratorate: str, reason: str) -> Referral:
    """建议人民检察院立案监督: to the procuratorate over the police that decided."""
    case, referral = _begin_referral(referral, actor, "request_supervision")
    office = Agency.objects.filter(slug=procuratorate, kind=Agency.Kind.PROCURATORATE).first()
    if office is None:
        raise field_error("procuratorate", _("%(slug)s is not a procuratorate.") % {"slug": procuratorate})
    competent = competent_procuratorates(referral.police_agency)
    if office not in competent:
        raise field_error(
            "procuratorate",
            _("%(office)s does not supervise %(police)s: ask %(competent)s.")
            % {
                "office": office.name,
                "police": referral.police_agency.name,
                "competent": _(" or ").join(a.name for a in competent) or "—",
            },
        )
    from_status = referral.status
    referral.request_supervision(procuratorate=office, reason=reason)
    _finish_referral(
        case, referral, actor, "request_supervision", from_status, {"procuratorate": office.slug, "reason": reason}
    )
    return referral


@action
def request_explanation(referral: Referral, *, actor: User, note: str) -> Referral:
    """要求说明不立案理由: the police explain in writing within 7 days (程序规定 第182条)."""
    case, referral = _begin_referral(referral, actor, "request_explanation")
    referral.request_explanation(note=note)
    _finish_referral(case, referral, actor, "request_explanation", R.SUPERVISION, {"note": note})
    return referral


@action
def explain(referral: Referral, *, actor: User, reason: str) -> Referral:
    """The police's written explanation of why they did not file the case."""
    case, referral = _begin_referral(referral, actor, "explain")
    referral.explain(reason=reason)
    _finish_referral(case, referral, actor, "explain", R.SUPERVISION, {"reason": reason})
    return referral


@action
def resolve_supervision(referral: Referral, *, actor: User, outcome: str, note: str) -> Referral:
    """The procuratorate orders the police to file (通知立案: they file within 15 days, 程序规定
    第182条), or finds the rejection sound."""
    method = "supervision_accept" if outcome == "accept" else "supervision_reject"
    case, referral = _begin_referral(referral, actor, "resolve_supervision", method)
    getattr(referral, method)(note=note)
    _finish_referral(case, referral, actor, "resolve_supervision", R.SUPERVISION, {"outcome": outcome, "note": note})
    return referral


@action
def accept_rejection(referral: Referral, *, actor: User, reason: str) -> Referral:
    """The rejection stands; the case goes on with administrative penalties (310号令 第10条)."""
    case, referral = _begin_referral(referral, actor, "accept_rejection")
    from_status = referral.status
    referral.accept_rejection(reason=reason)
    _finish_referral(case, referral, actor, "accept_rejection", from_status, {"reason": reason})
    return referral


@action
def hand_over(referral: Referral, *, actor: User, items: str) -> Referral:
    """移交涉案物品和证据, within 3 days of the 立案 notice (310号令 第12条)."""
    case, referral = _begin_referral(referral, actor, "hand_over")
    referral.hand_over(items=items)
    _finish_referral(case, referral, actor, "hand_over", R.ACCEPTED, {"items": items})
    return referral


@action
def record_outcome(referral: Referral, *, actor: User, outcome: str) -> Referral:
    """治安: the police's decision on the matter (处理结果), e.g. detention and a fine."""
    case, referral = _begin_referral(referral, actor, "record_outcome")
    referral.record_outcome(outcome=outcome)
    _finish_referral(case, referral, actor, "record_outcome", referral.status, {"outcome": outcome})
    return referral


def available_referral_actions(referral: Referral, user: AnyUser) -> list[str]:
    return [name for name, rule in REFERRAL_ACTIONS.items() if rule.who(user, referral) and rule.possible(referral)]

"""The oversight actions: supervision listings (挂牌督办: list, report progress, review — ask more
or close) and typical cases (典型案例) published from closed cases."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from agencies import jurisdiction
from agencies.models import Agency
from cases.models import Case, CaseStatus, local_today
from cases.protocol import action, finish, lock
from core.calendar import end_of_day
from core.errors import Code, Conflict
from notifications.announce import announce
from workflows import deadlines
from workflows.flows import OPEN

from . import flows
from .audit import public_summary, public_text
from .models import Listing, ListingReport, TypicalCase


def _supervising_office(actor: User, case: Case) -> Agency:
    office = jurisdiction.office_over(actor, case.region)
    if office is None:
        raise PermissionDenied(_("Only a supervisor over the case's region lists it for supervision."))
    return office


def _lock(listing: Listing) -> tuple[Case, Listing]:
    case = lock(listing.case_id)
    locked = Listing.objects.select_for_update(of=("self",)).select_related("agency__region").get(pk=listing.pk)
    return case, locked


@action
def list_case(case: Case, *, actor: User, deadline: datetime.date, instructions: str) -> Listing:
    case = lock(case)
    office = _supervising_office(actor, case)
    if deadline <= local_today():
        raise ValidationError({"deadline": [_("The deadline must be after today.")]})
    if case.listings.filter(status=Listing.Status.LISTED).exists():
        raise Conflict(Code.INVALID_TRANSITION, _("This case is already listed for supervision."))
    listing = Listing.objects.create(
        case=case, agency=office, listed_by=actor, deadline=deadline, instructions=instructions
    )
    deadlines.open_deadline(case, "listing", listing=listing, due_at=end_of_day(deadline))
    finish(
        case,
        actor=actor,
        action="list_case",
        agency=office,
        data={"listing": listing.pk, "deadline": deadline.isoformat(), "instructions": instructions},
    )
    flows.start(listing)
    announce("listing", case=case, day=deadline.isoformat())
    return listing


@action
def report_progress(listing: Listing, *, actor: User, text: str) -> ListingReport:
    case, listing = _lock(listing)
    if not jurisdiction.is_head_of(actor, case.agency_id):
        raise PermissionDenied(_("The head of the agency handling the case reports its progress."))
    if listing.status != Listing.Status.LISTED:
        raise Conflict(Code.INVALID_TRANSITION, _("This supervision listing is closed."))
    if not listing.task_routes.filter(task__flow_task__endswith="progress", task__status__in=OPEN).exists():
        raise Conflict(Code.INVALID_TRANSITION, _("The last report is waiting for the supervisor's review."))
    report = ListingReport.objects.create(listing=listing, by=actor, text=text)
    finish(
        case,
        actor=actor,
        action="report_listing_progress",
        agency=case.agency,
        data={"listing": listing.pk, "report": report.pk, "text": text},
    )
    flows.advance(listing, actor)
    announce("listing_progress", case=case, listing=listing)
    return report


@action
def review_listing(listing: Listing, *, actor: User, close: bool, note: str) -> Listing:
    case, listing = _lock(listing)
    if not jurisdiction.supervises(actor, listing.agency.region):
        raise PermissionDenied(_("Only the supervisors who listed the case review it."))
    if listing.status != Listing.Status.LISTED:
        raise Conflict(Code.INVALID_TRANSITION, _("This supervision listing is closed."))
    waiting = listing.task_routes.filter(task__flow_task__endswith="review", task__status__in=OPEN).exists()
    if not close and not waiting:
        raise Conflict(Code.INVALID_TRANSITION, _("There is no progress report to review yet."))
    if close:
        listing.close(note=note)
        listing.save()
        deadlines.meet(steps=("listing",), by="close_listing", listing=listing)
    finish(
        case,
        actor=actor,
        action="close_listing" if close else "review_listing",
        agency=listing.agency,
        data={"listing": listing.pk, "close": close, "note": note},
    )
    if waiting:
        flows.advance(listing, actor)
    elif close:
        flows.advance(listing, actor, cancel=True)
    return listing


@action
def mark_typical(case: Case, *, actor: User, title: str) -> TypicalCase:
    """Publish a closed case as a typical case (典型案例): what the public sees changes, so it is
    an event on the case's chain like any other action."""
    case = lock(case)
    if not jurisdiction.supervises(actor, case.region):
        raise PermissionDenied(_("Only a supervisor over the case's region marks typical cases."))
    if case.status != CaseStatus.CLOSED:
        raise Conflict(Code.INVALID_TRANSITION, _("Only a closed case can be a typical case."))
    if TypicalCase.objects.filter(case=case).exists():
        raise Conflict(Code.INVALID_TRANSITION, _("This case is already a typical case."))
    typical = TypicalCase.objects.create(
        case=case, title=public_text(case, title), summary=public_summary(case), marked_by=actor
    )
    finish(case, actor=actor, action="mark_typical", data={"typical": typical.pk, "title": typical.title})
    return typical

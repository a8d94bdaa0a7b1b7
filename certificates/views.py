"""证书: certificate checks for officials (single and roster), and the public check and tip line."""

import io
import zipfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from openpyxl.utils.exceptions import InvalidFileException

from agencies import jurisdiction
from agencies.models import Region
from cases.access import get_case_for, identities_shown
from cases.kinds import PartyKind
from core import ratelimit
from core.errors import Conflict
from core.identity import redact

from . import actions, batches, roster_job, sheets
from .models import RosterCheck, RosterLead, Tip, VerificationBatch
from .verify import MAX_ITEMS, status_labels, verify

labels = status_labels


class RosterRefused(Exception):
    """The roster cannot be read: the message says why."""


# The headers a roster's two columns are recognised by, in any position and any case, spaces
# ignored; the other columns (序号, 工种, ...) are left alone.
NUMBER_HEADERS = ("证书编号", "证书号", "证号", "操作证号", "操作证编号", "特种作业操作证号", "number")
NAME_HEADERS = ("姓名", "员工姓名", "name")
HEADER_ROWS = 10  # a title or a note may stand above the header, within the first rows
TWO_COLUMNS = (0, 1)
# Files that are no text whatever their name says: images, PDF, the old binary Excel.
BINARY = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\xd0\xcf\x11\xe0")


def _header_key(cell: str) -> str:
    return "".join(cell.split()).lower()


def _header(cells: list[str]) -> tuple[int, int] | None | bool:
    """(number column, name column) of a header row; True for a row that names only one of them
    (a header, but not one a roster can be read by); None for a row that is no header."""
    keys = [_header_key(c) for c in cells]
    number = next((i for i, k in enumerate(keys) if k in NUMBER_HEADERS), None)
    name = next((i for i, k in enumerate(keys) if k in NAME_HEADERS), None)
    if number is not None and name is not None:
        return number, name
    return True if (number is not None or name is not None) else None


def _width(cells: list[str]) -> int:
    return max((i + 1 for i, c in enumerate(cells) if c), default=0)


def layout_message() -> str:
    return _(
        "Name the columns in a header row: the certificate number as %(numbers)s, the name as %(names)s "
        "(other columns are ignored). Only a file of exactly two columns, number then name, may go without it."
    ) % {"numbers": " / ".join(NUMBER_HEADERS), "names": " / ".join(NAME_HEADERS)}


def _not_a_table() -> RosterRefused:
    return RosterRefused(_("The file is not a CSV or XLSX file: upload the roster as .xlsx or .csv."))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030, the superset of the GBK that
    Excel on Chinese Windows saves a CSV in; neither, and the file is refused, never guessed at."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterRefused(
        _("The roster's text is neither UTF-8 nor GBK: save it in Excel as “CSV UTF-8” or as XLSX and upload it again.")
    )


def _rows(upload):
    """The rows of the roster, told by content as well as by name: an XLSX is a zip whatever its
    name, a CSV is text (a NUL byte or an image's signature is no CSV)."""
    sheets.check_size(upload.size, settings.ROSTER_MAX_BYTES)
    name = (upload.name or "").lower()
    if not name.endswith((".csv", *sheets.XLSX_SUFFIXES)):
        raise ValueError("suffix")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        sheets.check_unpacked(upload, settings.ROSTER_MAX_UNPACKED_BYTES)
        return sheets.xlsx_rows(upload)
    if not name.endswith(".csv"):
        raise _not_a_table()
    data = upload.read(settings.ROSTER_MAX_BYTES + 1)
    sheets.check_size(len(data), settings.ROSTER_MAX_BYTES)
    if data.startswith(BINARY) or b"\x00" in data:
        raise _not_a_table()
    return sheets.csv_rows(io.StringIO(_decode(data), newline=""))


def read_roster(upload, skipped: list[int] | None = None) -> list[dict]:
    """number,name rows of a CSV (UTF-8 or GBK) or XLSX roster, streamed: a file over
    ROSTER_MAX_BYTES, an XLSX that unpacks to more than ROSTER_MAX_UNPACKED_BYTES and a roster of
    more than MAX_ITEMS rows are refused as soon as that is known (issue 17, §7).

    The columns are found by a header row (NUMBER_HEADERS, NAME_HEADERS) among the first
    HEADER_ROWS rows, the rows above it ignored; without one, a file of exactly two columns is
    read as number, name, and any other is refused (layout_message).
    `skipped` receives the line (from 1) of each row with a number or a name but not both."""
    too_many = _("At most %(max)s rows a roster; split it.") % {"max": f"{MAX_ITEMS:,}"}
    try:
        items: list[dict] = []
        columns: tuple[int, int] | None = None
        headerless = False
        before = 0  # non-blank rows seen before the header
        for index, row in enumerate(_rows(upload)):
            cells = [c.strip() for c in row]
            if columns is None:
                if not any(cells):
                    continue
                found = _header(cells)
                if isinstance(found, tuple):
                    columns = found
                    continue
                if found is True or before >= HEADER_ROWS - 1:
                    raise RosterRefused(layout_message())
                if before == 0 and _width(cells) == 2:
                    columns, headerless = TWO_COLUMNS, True  # no header: this is the roster's first row
                else:
                    before += 1
                    continue
            if headerless and _width(cells) > 2:
                raise RosterRefused(layout_message())
            number = cells[columns[0]] if columns[0] < len(cells) else ""
            name = cells[columns[1]] if columns[1] < len(cells) else ""
            if number and name:
                items.append({"number": number, "name": name})
                if len(items) > MAX_ITEMS:
                    raise RosterRefused(too_many)
            else:
                if skipped is not None and (number or name):
                    skipped.append(index + 1)
                if index - len(items) > MAX_ITEMS:  # a sheet of blank rows is no roster either
                    raise RosterRefused(too_many)
        if columns is None and before:
            raise RosterRefused(layout_message())
    except sheets.TooLarge as exc:
        if str(exc).startswith("rows"):
            raise RosterRefused(too_many) from None
        raise RosterRefused(
            _("The roster file is too large (at most %(kb)s KB, and an XLSX may unpack to at most %(mb)s MB).")
            % {"kb": f"{settings.ROSTER_MAX_BYTES // 1024:,}", "mb": settings.ROSTER_MAX_UNPACKED_BYTES // 2**20}
        ) from None
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, InvalidFileException):
        raise RosterRefused(_("Upload the roster as .xlsx or .csv with the columns number and name.")) from None
    if not items:
        raise RosterRefused(_("The roster has no rows with both a certificate number and a name."))
    return items


def _check_page(request, result=None, status=200):
    return render(request, "certificates/check.html", {"result": result, "labels": labels()}, status=status)


def _quota_refused(response, exc: batches.QuotaExceeded):
    response["Retry-After"] = str(exc.retry_after)
    return response


@login_required
def check(request):
    if request.method == "POST":
        number, name = request.POST.get("number", "").strip()[:40], request.POST.get("name", "").strip()[:100]
        if not (number and name):
            messages.error(request, _("Enter both the certificate number and the holder's name."))
            return _check_page(request)
        try:
            results, _batch = batches.verify_for(
                request.user, [{"number": number, "name": name}], purpose=VerificationBatch.Purpose.CHECK
            )
        except batches.QuotaExceeded as exc:
            messages.error(request, exc.message)
            return _quota_refused(_check_page(request, status=429), exc)
        return _check_page(request, results[0])
    return _check_page(request)


def _roster_page(request, status=200, errors: dict | None = None):
    # Not the results: a roster's can be 10,000 rows, and the list shows only names and times.
    recent = RosterCheck.objects.filter(user=request.user).only("id", "filename", "created_at")
    page = Paginator(recent.order_by("-created_at", "-id"), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/roster.html",
        {
            "max": MAX_ITEMS,
            "job_rows": settings.ROSTER_JOB_ROWS,
            "recent": page,
            "errors": errors or {},
            "employer": request.POST.get("employer", "")[:200],
            # The accepted headers are the file's words, English ones too: not language to translate.
            "number_headers": format_html('<span translate="no">{}</span>', " / ".join(NUMBER_HEADERS)),
            "name_headers": format_html('<span translate="no">{}</span>', " / ".join(NAME_HEADERS)),
        },
        status=status,
    )


# The lines of a roster verified in the request that had a number or a name but not both: kept
# in the session, by roster, for its result page (the job keeps them as its rejected rows).
SKIPPED_SHOWN = 200


def _skipped_key(pk: int) -> str:
    return f"roster-skipped-{pk}"


@login_required
def roster(request):
    if not batches.may_verify_in_bulk(request.user):
        raise PermissionDenied(batches.bulk_refused_message())
    if request.method == "POST" and request.FILES.get("roster"):
        upload = request.FILES["roster"]
        skipped: list[int] = []
        try:
            items = read_roster(upload, skipped=skipped)
        except RosterRefused as exc:
            return _roster_page(request, status=400, errors={"roster": str(exc)})
        employer = request.POST.get("employer", "")[:200]
        if len(items) > settings.ROSTER_JOB_ROWS:
            # A long roster is verified by a worker; its page follows it and links to the results.
            try:
                job = roster_job.start(request.user, upload, items, employer)
            except batches.QuotaExceeded as exc:
                messages.error(request, exc.message)
                return _quota_refused(_roster_page(request, status=429), exc)
            return redirect(job)
        try:
            results, _batch = batches.verify_for(
                request.user,
                items,
                purpose=VerificationBatch.Purpose.ROSTER,
                filename=upload.name or "",
                employer=employer,
            )
        except batches.QuotaExceeded as exc:
            messages.error(request, exc.message)
            return _quota_refused(_roster_page(request, status=429), exc)
        saved = RosterCheck.objects.create(
            user=request.user, filename=(upload.name or "")[:200], employer=employer, results=results
        )
        if skipped:
            request.session[_skipped_key(saved.pk)] = {"count": len(skipped), "lines": skipped[:SKIPPED_SHOWN]}
        return redirect("certificates:roster:result", pk=saved.pk)
    return _roster_page(request)


def _own_roster(request, pk) -> RosterCheck:
    saved = RosterCheck.objects.filter(pk=pk, user=request.user).first()
    if saved is None:
        raise Http404
    return saved


# The answers a roster's summary always lists; the full ones only when a roster has them (an older one).
SUMMARY = ("valid", "expired", "review_overdue", "revoked", "no_match")


@login_required
def roster_result(request, pk):
    saved = _own_roster(request, pk)
    counts: dict[str, int] = {}
    for row in saved.results:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    # The index in the roster stays with each row: "Open a lead" names the row by it, on any page.
    failed: list[tuple] = [
        (i, row) for i, row in enumerate(saved.results) if row["status"] in actions.SUGGESTED_FINDING
    ]
    page = Paginator(failed, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    # The lead each row of this page opened, if it did: the row links to it instead of a button.
    rows = [i for i, _row in page.object_list]
    opened = {
        lead.row: lead.case for lead in RosterLead.objects.filter(roster=saved, row__in=rows).select_related("case")
    }
    page.object_list = [(i, row, opened.get(i)) for i, row in page.object_list]
    shown = [roster_job.count_line(v, counts.get(k, 0)) for k, v in labels().items() if k in SUMMARY or k in counts]
    skipped = request.session.get(_skipped_key(saved.pk))
    if skipped:
        shown.append(roster_job.skipped_line(skipped["count"]))
    return render(
        request,
        "certificates/roster_result.html",
        {
            "saved": saved,
            "counts": counts,
            "failed": page,
            "labels": labels(),
            "summary": shown,
            "skipped": skipped,
            "total": len(saved.results),
        },
    )


@login_required
def roster_download(request, pk):
    saved = _own_roster(request, pk)
    response = HttpResponse(roster_job.results_xlsx(saved.results), content_type=roster_job.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{roster_job.results_name(saved)}"'
    return response


@login_required
def roster_lead(request, pk, row):
    """One click: a lead (source verification) with the person and the finding proposed — one a
    row: clicked again, the row's lead is shown, never a second one made."""
    saved = _own_roster(request, pk)
    if request.method != "POST" or not 0 <= row < len(saved.results):
        raise Http404
    try:
        case = actions.lead_from_roster_row(saved, row, actor=request.user)
    except actions.LeadExists as exists:
        messages.info(
            request, _("This row opened lead %(case)s before: here it is.") % {"case": exists.lead.case.number}
        )
        return redirect("cases:case:detail", pk=exists.lead.case_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("certificates:roster:result", pk=saved.pk)
    messages.success(
        request,
        _("Lead %(case)s opened; open the case and confirm the proposed person and finding.") % {"case": case.number},
    )
    return redirect("cases:case:detail", pk=case.pk)


# --- public pages (no login) ----------------------------------------------------------------


def _limited(request, kind: str, limit: int):
    if ratelimit.allow(kind, ratelimit.client_address(request), limit):
        return None
    return render(request, "certificates/public_limited.html", {"limit": limit}, status=429)


def public_check(request):
    result = None
    if request.method == "POST":
        refused = _limited(request, "check", settings.PUBLIC_CHECKS_PER_HOUR)
        if refused:
            return refused
        number, name = request.POST.get("number", "").strip()[:40], request.POST.get("name", "").strip()[:100]
        # The status only, never the holder's data, and never whether the number exists (no_match).
        result = verify([{"number": number, "name": name}])[0]["status"] if number and name else "missing"
    return render(request, "certificates/public_check.html", {"result": result, "labels": labels()})


# The tracking code of the tip this browser sent last, for the page shown after the POST.
TIP_CODE_KEY = "public_tip_code"


def public_tip(request):
    errors, values = {}, {}
    # After the POST, the page of the code it gave (post/redirect/get): reloading it shows the code
    # again and never sends the tip a second time.
    if request.method == "GET" and request.GET.get("sent") and request.session.get(TIP_CODE_KEY):
        return render(request, "certificates/public_tip_done.html", {"code": request.session[TIP_CODE_KEY]})
    if request.method == "POST":
        refused = _limited(request, "tip", settings.PUBLIC_TIPS_PER_HOUR)
        if refused:
            return refused
        values = request.POST
        city = Region.objects.filter(code=values.get("city", ""), level="city").first()
        what = values.get("what", "").strip()
        if not what:
            errors["what"] = _("Tell us what happened.")
        elif len(what) > 4000:
            errors["what"] = _("At most 4,000 characters.")
        if city is None:
            errors["city"] = _("Choose a city.")
        kind = values.get("party_kind") if values.get("party_kind") in PartyKind.values else PartyKind.EMPLOYER
        files = request.FILES.getlist("evidence")[:5]
        if not errors and city is not None:  # no city is an error above
            try:
                tip = actions.register_tip(
                    city=city,
                    what=what,
                    party_kind=kind,
                    party_name=values.get("party_name", "")[:200],
                    contact=values.get("contact", "")[:100],
                    files=files,
                )
            except ValidationError as exc:
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            except PermissionDenied:
                raise
            else:
                request.session[TIP_CODE_KEY] = tip.code
                return redirect(f"{reverse('public-tip')}?sent=1")
    return render(
        request,
        "certificates/public_tip.html",
        {
            "errors": errors,
            "values": values,
            "cities": Region.objects.filter(level="city").order_by("code"),
            "kinds": PartyKind.choices,
        },
        status=400 if errors else 200,
    )


def public_track(request):
    code = request.GET.get("code", "").strip()[:24]
    if code:
        # A code is a secret of about 79 bits; still, no address tries codes faster than this.
        refused = _limited(request, "track", settings.PUBLIC_TRACKS_PER_HOUR)
        if refused:
            return refused
    tip = actions.find_tip(code) if code else None
    state = actions.COARSE[tip.case.status] if tip else None
    names = {"received": pgettext("tip", "received"), "handling": _("being handled"), "concluded": _("concluded")}
    return render(
        request,
        "certificates/public_track.html",
        {
            "code": code,
            "state": state,
            "label": names.get(state) if state else None,
            # The answers of the officers: their text and date, nothing of who wrote them.
            "replies": [(r.created_at, redact(r.text, public=True)) for r in tip.replies.all()] if tip else [],
        },
        status=404 if code and tip is None else 200,
    )


@login_required
def tip_desk(request, pk):
    """The tip behind a case for those who see the case: what was reported, the tipster's contact
    (in full to the officers handling it, masked to everyone else) and the answers given; the
    handlers and the head answer here, and the answer shows on the tracking page."""
    tip = Tip.objects.filter(pk=pk).only("pk", "case_id").first()
    if tip is None:
        raise Http404
    case = get_case_for(request.user, tip.case_id)  # 404 to whoever does not see the case
    tip = Tip.objects.select_related("case").get(pk=pk)
    may_reply = actions.may_reply(request.user, case)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_reply:
            raise PermissionDenied(
                _("Only the officers handling the tip and the head of its agency answer the tipster.")
            )
        try:
            actions.reply_to_tip(tip, request.POST.get("text", ""), actor=request.user)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            messages.success(request, _("Your answer is on the tracking page of this tip."))
            return redirect("tip-desk", pk=tip.pk)
    sees = actions.sees_tipster(request.user, case)
    return render(
        request,
        "certificates/tip_desk.html",
        {
            "tip": tip,
            "case": case,
            # What the tipster wrote is the case's summary: shown as the case page shows it.
            "what": identities_shown(request.user, case).data(tip.what),
            "contact": tip.contact if sees else actions.mask_contact(tip.contact),
            "contact_full": sees,
            "replies": tip.replies.select_related("author"),
            "may_reply": may_reply,
            "errors": errors,
            "text": request.POST.get("text", "") if errors else "",
            "max": actions.REPLY_MAX,
        },
        status=400 if errors else 200,
    )


FAVICON = settings.BASE_DIR / "static" / "xianjie" / "favicon.ico"


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on every page: the authority's small icon."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")


@login_required
def case_evidence(request, pk):
    """Upload an evidence file from the case page (handlers and head)."""

    case = get_case_for(request.user, pk)
    if request.method == "POST" and request.FILES.get("file"):
        try:
            actions.add_evidence(case, request.FILES["file"], actor=request.user)
        except (ValidationError, Conflict) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Evidence added."))
    return redirect("cases:case:detail", pk=case.pk)


@login_required
def verification_records(request):
    """督查: who verified how many certificates, when and why, in the regions the supervisor oversees."""
    if not jurisdiction.supervised_paths(request.user):
        raise PermissionDenied(_("Only supervisors see the verification records."))
    records = batches.batches_supervised_by(request.user).select_related("agency", "case")
    page = Paginator(records.order_by("-created_at", "-id"), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/verification_records.html",
        {"records": page, "labels": labels(), "purposes": dict(VerificationBatch.Purpose.choices)},
    )

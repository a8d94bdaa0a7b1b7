"""The regulator's pages: case list, new case, the case page, and one short form per action."""

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError as DRFValidationError

from agencies import jurisdiction
from agencies.models import Agency, Region
from core import lists, webforms
from core.access import AnyUser, AuthenticatedHttpRequest
from core.errors import Conflict

from . import actions, corrections, links, notes, queries, titles
from .access import (
    cases_visible_to,
    events_visible_to,
    get_case_for,
    identities_shown,
    referrals_visible_to,
    sees_internals,
)
from .actions import HEARING_STATUSES
from .api.serializers import CaseCreateInput
from .api.views import ReportFindInput, case_detail_queryset
from .corrections import CORRECTABLE
from .kinds import PENALTY_PAPER_TITLES, FindingKind, PartyKind, Source
from .models import (
    Case,
    CaseStatus,
    FineStatus,
    IdNumberView,
    LegalBasis,
    Penalty,
    PenaltyStatus,
    RectificationStatus,
    SuspensionStatus,
)
from .queries import filter_cases
from .rules import CASE_ACTIONS, home_agency, may, may_note
from .titles import EVENT_TITLES


def _list_errors(exc: DRFValidationError) -> dict[str, list[str]]:
    detail = exc.detail if isinstance(exc.detail, dict) else {"q": exc.detail}
    return {key: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for key, msgs in detail.items()}


LIST_FILTERS = ("status", "region", "source", "party_kind", "requires_referral", "overdue")


CASE_LIST = lists.register(
    lists.ListSpec(
        name="cases",
        title=gettext_lazy("Cases"),
        url_name="cases:case:index",
        columns=(
            lists.Column("number", gettext_lazy("number"), ("number",)),
            lists.Column("party", gettext_lazy("Party"), ("party_name",)),
            lists.Column("status", gettext_lazy("status"), ("status",)),
            lists.Column("region", gettext_lazy("region"), ("region__code",)),
            lists.Column("source", gettext_lazy("source"), ("source",)),
            lists.Column("created", gettext_lazy("created at"), ("created_at",)),
        ),
        default_sort="-created",
        texts=("q",),
    )
)


@login_required
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The case list. The search form posts its text (issue 17 §10): it is kept in the session
    under a token issued for that search (valid in this session only, for its pages) that the
    list's address carries instead, so that no ID number or name lands
    in the address, the browser's history or the access log. `?q=` still searches by a case
    number, a party or a name; an ID number there is refused. Paged with the total, sorted by
    ?sort=, exported with ?export=xlsx (core.lists)."""
    if request.method == "POST":
        return _search(request)
    params = request.GET.copy()
    errors: dict[str, list[str]] = {}
    token = params.get("search")
    if token:
        text = queries.searched(request.session, token)
        if text is None:
            errors["q"] = [_("This search has expired: search again.")]
        params["q"] = text or ""
    filters: dict[str, Any] = {}
    try:
        filters = queries.case_list_params(params)
    except DRFValidationError as exc:
        errors |= _list_errors(exc)
    if not token and queries.is_id_search(filters.get("q")):
        errors["q"] = [_("Search by ID number with the search form: in the address it would stay in logs and history.")]
    sort, order, sort_errors = lists.sort_of(CASE_LIST, params)
    errors |= sort_errors
    page = None
    if not errors:
        qs = filter_cases(cases_visible_to(request.user).select_related("agency", "region"), filters, request.user)
        qs = qs.order_by(*order)
        if params.get("export"):
            return lists.export(request, CASE_LIST, qs, _case_export_header(), _case_export_row)
        page = lists.page_of(request, qs)
    return _render_list(request, params, errors, page, sort, 400 if errors else 200)


def _case_export_header() -> list[str]:
    return [
        _("number"),
        _("party"),
        _("party kind"),
        _("status"),
        _("region"),
        _("source"),
        _("agency"),
        _("requires referral"),
        _("created at"),
    ]


def _case_export_row(c: Case) -> list[Any]:
    return [
        c.number,
        c.party_name,
        c.get_party_kind_display(),
        c.get_status_display(),
        c.region.name,
        c.get_source_display(),
        c.agency.name,
        _("yes") if c.requires_referral else _("no"),
        timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
    ]


def _render_list(
    request: AuthenticatedHttpRequest,
    params: Any,
    errors: dict[str, list[str]],
    page: Any,
    sort: str,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": page if page is not None else [],
            "page": page,
            "params": params,
            "errors": errors,
            "list_errors": [m for msgs in errors.values() for m in msgs],
            "statuses": CaseStatus.choices,
            "sources": Source.choices,
            "party_kinds": PartyKind.choices,
            "regions": Region.objects.filter(level__in=("province", "city")).order_by("code"),
            "can_create": _can_create(request.user),
            "finder": home_agency(request.user) is None and _finder(request.user) is not None,
            **lists.context(request, CASE_LIST, sort, page),
        },
        status=status,
    )


def _search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The search form, posted: checked, counted and recorded if by ID number (issue 17 §2), then
    the list under a token for this search kept in the session (the text never goes into the address)."""
    form = request.POST
    q = (form.get("q") or "").strip()[:100]
    try:
        filters = queries.case_list_params(form)
    except DRFValidationError as exc:
        return _render_list(request, form, _list_errors(exc), None, CASE_LIST.default_sort, 400)
    if queries.is_id_search(q):
        try:
            queries.allow_id_search(request.user)
        except queries.IdSearchThrottled as exc:
            response = _render_list(
                request, form, {"q": [queries.id_search_message()]}, None, CASE_LIST.default_sort, 429
            )
            response["Retry-After"] = str(exc.wait)
            return response
        found = filter_cases(cases_visible_to(request.user), filters, request.user).order_by("-created_at", "-id")
        queries.record_id_search(request.user, q, list(found[:100]), request.path)
    query = QueryDict(mutable=True)
    for name in (*LIST_FILTERS, "sort"):
        if form.get(name):
            query[name] = form[name]
    if q:
        query["search"] = queries.search_token(request.session, q)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _can_create(user: AnyUser) -> bool:
    return home_agency(user) is not None or _finder(user) is not None


def _finder(user: AnyUser) -> Agency | None:
    """The police or cyberspace office whose finds the user reports (actions.report_find)."""
    return next((m.agency for m in jurisdiction.memberships_of(user) if m.agency.kind in actions.FINDERS), None)


CREATE_FIELDS = [
    "source",
    "region",
    "party_kind",
    "party_name",
    "party_credit_code",
    "party_id_number",
    "party_url",
    "party_address",
    "party_representative",
    "summary",
]


@login_required
def case_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A regulator's new lead; for the police and the cyberspace office, a find they report to the
    competent regulator (actions.report_find)."""
    home = home_agency(request.user)
    if home is None:
        finder = _finder(request.user)
        if finder is None:
            raise PermissionDenied
        return _report_find(request, finder)
    regions = Region.objects.filter(path__startswith=home.region.path).order_by("code")
    errors, other = {}, []
    values = {"region": home.region.code if home.region.level == "city" else ""}
    if request.method == "POST":
        values = request.POST
        party = {k[6:]: values[k] for k in CREATE_FIELDS if k.startswith("party_") and values.get(k)}
        data = {k: values[k] for k in ("source", "region", "summary") if values.get(k)} | {"party": party}
        serializer = CaseCreateInput(data=data)
        case = None
        if serializer.is_valid():
            try:
                case = actions.create_case(actor=request.user, **serializer.validated_data)
            except (DjangoValidationError, Conflict) as exc:
                errors = webforms.errors_of(exc)
        else:
            for key, msgs in serializer.errors.items():
                if key == "party" and isinstance(msgs, dict):
                    errors |= {f"party_{k}": [str(m) for m in v] for k, v in msgs.items()}
                else:
                    errors[key] = [str(m) for m in msgs]
        other = [m for k, msgs in errors.items() if k not in CREATE_FIELDS for m in msgs]
        if case is not None:
            messages.success(request, _("Case %(number)s created.") % {"number": case.number})
            return redirect("cases:case:detail", pk=case.pk)
    return render(
        request,
        "cases/case_create.html",
        {
            "values": values,
            "errors": errors,
            "other_errors": other,
            "sources": Source.choices,
            "party_kinds": PartyKind.choices,
            "regions": regions,
            "party_fields": [
                ("party_name", _("party name") + " *"),
                ("party_credit_code", _("unified social credit code (organisations)")),
                ("party_id_number", _("resident ID number (individuals)")),
                ("party_url", _("website address (counterfeit websites)")),
                ("party_address", _("address (where papers are served)")),
                ("party_representative", _("legal representative (organisations)")),
            ],
        },
        status=400 if errors else 200,
    )


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    case = case_detail_queryset(request.user).get(pk=case.pk)
    events = list(events_visible_to(request.user, case).select_related("actor", "agency").order_by("seq"))
    person_ids, party = actions.unreferred(case)
    shown = identities_shown(request.user, case)
    persons = [(p, shown.of(p)) for p in case.persons.all() if shown.sees(p.pk)]
    party_id = shown.of_party(case) if case.party_id_number else ""
    full = sum(1 for _p, n in persons if "*" not in n) + bool(party_id and "*" not in party_id)
    IdNumberView.record(request.user, case, IdNumberView.Via.WEB, full)
    visible = set(referrals_visible_to(request.user).filter(case=case).values_list("pk", flat=True))
    # The deadlines running now: the case's own to its agency and supervisors, a referral's to
    # whoever sees that referral; whose duty each is and under which article.
    own = jurisdiction.is_staff_of(request.user, case.agency_id) or jurisdiction.supervises(request.user, case.region)
    running = [
        d
        for d in case.deadlines.filter(met_at__isnull=True).select_related("referral").order_by("due_at")
        if (d.referral_id in visible if d.referral_id else own)
    ]
    penalties = [p for p in case.penalties.all() if shown.sees(p.person_id)]
    suggested, _hidden = links.suggestions_for(case, request.user)
    # A certificate number is a letter and its holder's ID number: shown as that number is shown
    # to this user, masked (T440***********1235) where the ID number is (issue 17 §3).
    findings = [
        (f, shown.certificate(f.certificate_number, f.person_id), shown.certificate(f.note, f.person_id))
        for f in case.findings.all()
        if shown.sees(f.person_id)
    ]
    case_links = [(one, shown.data(one.link.certificate_number)) for one in links.links_of(case, request.user)]
    proposal = getattr(case, "lead_proposal", None)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "persons": persons,
            "findings": findings,
            "summary": shown.data(case.summary),
            "proposal_certificate": shown.data(proposal.certificate_number) if proposal else "",
            "party_id": party_id,
            "referrals": [r for r in case.referrals.all() if r.pk in visible],
            "events": [
                (
                    e,
                    corrections.event_detail(e.action, shown.data(e.data))
                    or _work_detail(e.action, shown.data(e.data)),
                )
                for e in events
            ],
            "actions": actions.available_actions(case, request.user),
            "titles": EVENT_TITLES,
            "unreferred": set(person_ids),
            "party_unreferred": party,
            "today": timezone.localdate(),
            "supervisor": jurisdiction.supervises(request.user, case.region),
            "deadlines": running,
            "now": timezone.now(),
            "penalties": [(p, [(name, PENALTY_PAPER_TITLES[name]) for name in p.papers]) for p in penalties],
            "links": case_links,
            "suggested": [dataclasses.replace(one, why=shown.data(one.why)) for one in suggested],
            # 内部备注: for the owning agency and the supervisors only, never the police (cases/notes.py).
            # Read off the note events already loaded (events_visible_to shows them only to those
            # who see the case's internals): no query of their own.
            "notes": [(e, shown.data(e.data.get("text", ""))) for e in reversed(events) if e.action == "add_note"]
            if sees_internals(request.user, case)
            else None,
            "can_note": may_note(request.user, case),
        },
    )


def _work_detail(action: str, data: dict[str, Any]) -> str:
    """A 转办 or an internal note in words for the timeline: who handed over to whom and why; the note."""
    if action == "reassign":
        names = {
            u.username: u.get_full_name() or u.username
            for u in User.objects.filter(username__in=[*data.get("from", []), *data.get("to", [])])
        }
        return _("%(before)s → %(after)s; reason: %(reason)s") % {
            "before": "、".join(names.get(n, n) for n in data.get("from", [])),
            "after": "、".join(names.get(n, n) for n in data.get("to", [])),
            "reason": data.get("reason", ""),
        }
    if action == "add_note":
        return str(data.get("text", ""))
    return ""


@login_required
def case_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The short note form of the case page, posted: the note appended, back to the case page."""
    case = get_case_for(request.user, pk)
    if not may_note(request.user, case):
        raise PermissionDenied
    if request.method != "POST":
        return redirect(reverse("cases:case:detail", args=[case.pk]) + "#notes")
    try:
        notes.add_note(case, actor=request.user, text=request.POST.get("text", "")[:4000])
    except DjangoValidationError as exc:
        for message in webforms.errors_of(exc).get("text", []):
            messages.error(request, message)
    else:
        messages.success(request, _("Note added."))
    return redirect(reverse("cases:case:detail", args=[case.pk]) + "#notes")


FIND_FIELDS = ["finding_kind", "certificate_number", "source"]


def _report_find(request: AuthenticatedHttpRequest, finder: Agency) -> HttpResponse:
    regions = Region.objects.filter(path__startswith=finder.region.path).order_by("code")
    errors: dict[str, list[str]] = {}
    values: Any = {"region": finder.region.code if finder.region.level == "city" else ""}
    if request.method == "POST":
        values = request.POST
        party = {k[6:]: values[k] for k in CREATE_FIELDS if k.startswith("party_") and values.get(k)}
        data = {k: values[k] for k in ["region", "summary", *FIND_FIELDS] if values.get(k)} | {"party": party}
        serializer = ReportFindInput(data=data)
        if serializer.is_valid():
            try:
                case = actions.report_find(actor=request.user, **serializer.validated_data)
            except (DjangoValidationError, Conflict) as exc:
                errors = webforms.errors_of(exc)
            else:
                messages.success(
                    request,
                    _("Reported to %(agency)s as lead %(number)s.")
                    % {"agency": case.agency.name, "number": case.number},
                )
                return redirect("cases:case:create")
        else:
            errors = {
                (f"party_{k2}" if key == "party" else key): [str(m) for m in v2]
                for key, msgs in serializer.errors.items()
                for k2, v2 in (msgs.items() if isinstance(msgs, dict) else [(key, msgs)])
            }
    return render(
        request,
        "cases/report_find.html",
        {
            "finder": finder,
            "reported": actions.finds_reported_by(request.user)[:50],
            "values": values,
            "errors": errors,
            "other_errors": [m for k, msgs in errors.items() if k not in CREATE_FIELDS + FIND_FIELDS for m in msgs],
            "party_kinds": PartyKind.choices,
            "finding_kinds": FindingKind.choices,
            "regions": regions,
            "party_fields": [
                ("party_name", _("party name") + " *"),
                ("party_credit_code", _("unified social credit code (organisations)")),
                ("party_url", _("website address (counterfeit websites)")),
                ("party_address", _("address (where papers are served)")),
            ],
        },
        status=400 if errors else 200,
    )


def action_choices(case: Case, name: str) -> dict[str, list[tuple[Any, str]]]:
    """The options of each field of a case action's form, from the case itself."""
    if name in ("open", "reassign"):  # 立案 and 转办 name the handlers the same way
        staff = User.objects.filter(
            memberships__agency=case.agency, memberships__role__in=("officer", "head")
        ).order_by("username")
        return {"handlers": [(u.username, f"{u.get_full_name() or u.username}（{u.username}）") for u in staff]}
    persons = [(p.pk, f"{p.name}（{p.id_masked}）") for p in case.persons.all()]
    findings = [
        (f.pk, f"{f.get_kind_display()}（{f.person.name if f.person else case.party_name}）")
        for f in case.findings.select_related("person")
    ]
    if name == "serve_decision":  # a fine decided by a penalty is served with its decision
        decided = {p.fine_id for p in case.penalties.all()}
        fines = [f for f in case.fines.all() if f.served_on is None and f.pk not in decided]
    else:
        fines = [f for f in case.fines.all() if f.status != FineStatus.PAID]
    return {
        "person": persons,  # the form adds the blank choice
        "persons": persons,
        "order": [
            (r.pk, f"{titles.rectification_label(r)} {r.items[:30]}")
            for r in case.rectifications.all()
            if r.status == RectificationStatus.ISSUED
        ],
        "suspension": [
            (s.pk, titles.suspension_label(s)) for s in case.suspensions.all() if s.status == SuspensionStatus.IN_FORCE
        ],
        "fine": [
            (f.pk, f"{titles.fine_label(f)}（{_('due today')} ¥{f.amount_due(timezone.localdate()):,.2f}）")
            for f in fines
        ],
        "legal_basis": _basis_choices(),
        "correction": correction_choices(case, "endorsement" if name == "endorse_correction" else "proposed"),
        "finding": findings,
        "agency": [(a.slug, a.name) for a in actions.receivers(Agency.Kind.CYBERSPACE, case.region)],
        # 更正: the record by its name, the field in words (not the codes of the API).
        "id": [(pk, _("person") + f"：{label}") for pk, label in persons]
        + [(pk, _("finding") + f"：{label}") for pk, label in findings],
        "field": [(name, f"{label}（{target.label}）") for target, name, label in CORRECTABLE],
        "approve": [("true", _("approve")), ("false", _("do not approve (say why in the note)"))],
        "kinds": [(k, KIND_LABELS[k]) for k in ("warning", "fine", "suspension")],
        "penalty": [(p.pk, penalty_label(p, case)) for p in case.penalties.all() if p.status in PENALTY_STEP[name]]
        if name in PENALTY_STEP
        else [],
        "officer": [
            (u.username, f"{u.get_full_name() or u.username}（{u.username}）")
            for u in User.objects.filter(memberships__agency=case.agency, memberships__role__in=("officer", "head"))
            .exclude(pk__in=[h.pk for h in case.handlers.all()])
            .order_by("username")
        ],
    }


# The penalties each step of the procedure acts on (workflows/penalties.py).
PENALTY_STEP: dict[str, tuple[str, ...]] = {
    "approve_penalty": (PenaltyStatus.PROPOSED,),
    "notify_penalty": (PenaltyStatus.APPROVED,),
    "record_statement": HEARING_STATUSES,
    "request_hearing": (PenaltyStatus.NOTIFIED,),
    "schedule_hearing": (PenaltyStatus.HEARING_REQUESTED,),
    "record_hearing": (PenaltyStatus.HEARING_SCHEDULED,),
    "review_penalty": (PenaltyStatus.NOTIFIED, PenaltyStatus.HEARD),
    "decide_penalty": (PenaltyStatus.NOTIFIED, PenaltyStatus.HEARD),
    "serve_decision": (PenaltyStatus.DECIDED,),
}
KIND_LABELS = {
    "warning": _("warning (警告)"),
    "fine": _("fine (罚款)"),
    "suspension": _("suspension (责令停产停业整顿)"),
}


def penalty_label(penalty: Penalty, case: Case) -> str:
    """A penalty as its people name it: what, how much, under which basis, on whom, where it stands."""
    amount = f" ¥{penalty.amount:,.2f}" if penalty.amount is not None else ""
    basis = f" {penalty.legal_basis.code}" if penalty.legal_basis else ""
    on = penalty.person.name if penalty.person else case.party_name
    number = penalty.decision_number or penalty.notice_number
    return f"{number + ' ' if number else ''}{penalty.kinds_display}{amount}{basis} · {on}（{penalty.get_status_display()}）"


def correction_choices(case: Case, status: str = "proposed") -> list[tuple[Any, str]]:
    """Each pending correction with what it changes: the record, the field, the old and new value."""
    out = []
    for c in case.corrections.filter(status=status):
        old = corrections.current_value(case, c)
        new = corrections.proposed_value(c)
        out.append((c.pk, f"{corrections.describe(case, c)}：{old} → {new}（{c.reason[:30]}）"))
    return out


def _basis_choices() -> list[tuple[Any, str]]:
    """Each provision once, by its latest version; one that has ended says until when (the day of
    the act picks the version, LEGAL.md §3)."""
    latest = {b.code: b for b in LegalBasis.objects.order_by("code", "valid_from")}
    until, warning = _("in force until"), _("with a warning")
    return [
        (
            b.code,
            f"{b.code} {b.title}（¥{b.min_amount:,.0f}–{b.max_amount:,.0f}"
            + (f"，{warning}" if b.warning else "")
            + (f"，{until} {b.valid_to:%Y-%m-%d}）" if b.valid_to else "）"),
        )
        for b in latest.values()
    ]


@login_required
def case_action(request: AuthenticatedHttpRequest, pk: int, name: str) -> HttpResponse:
    case = get_case_for(request.user, pk)
    if name not in CASE_ACTIONS:
        raise Http404
    if not may(request.user, case, name):
        raise PermissionDenied
    if name == "propose_referral":  # its own page, with the referable persons preselected
        return redirect("cases:case:propose", case_pk=case.pk)
    rule = CASE_ACTIONS[name]
    case = case_detail_queryset(request.user).get(pk=case.pk)
    # A link may prefill the form (e.g. the person and finding a failed verification proposes).
    initial = {k: v for k, v in request.GET.items() if k in rule.input_class().fields}
    if name == "reassign":  # 转办: start from the handlers the case has
        initial.setdefault("handlers", [h.username for h in case.handlers.all()])
    return webforms.action_form(
        request,
        title=rule.title,
        subject=case,
        back_url=reverse("cases:case:detail", args=[case.pk]),
        input_class=rule.input_class,
        run=lambda **data: rule.function(case, actor=request.user, **data),
        done=lambda: redirect("cases:case:detail", pk=case.pk),
        choices=action_choices(case, name),
        initial=initial,
        context={"version": case.version},
    )

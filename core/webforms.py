"""Short web forms for actions, built from the same DRF serializers as API v1: the same fields,
the same validation, the same messages. One place turns a serializer into form fields, a POST
into the serializer's data, and any refusal into messages on the form."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import serializers

from .errors import Conflict
from .identity import redact

LABELS = {
    "handlers": _("handlers (two)"),
    "reason": _("reason"),
    "name": pgettext_lazy("person", "name"),
    "id_number": _("ID number (resident ID or the document chosen)"),
    "id_kind": _("identity document"),
    "role": _("role in the case"),
    "kind": _("kind"),
    "person": _("person"),
    "certificate_number": _("certificate number"),
    "note": _("note"),
    "deadline": _("deadline"),
    "items": _("items"),
    "order": _("rectification order"),
    "passed": _("passed the re-inspection"),
    "starts_on": _("suspension starts on"),
    "suspension": _("suspension"),
    "amount": _("amount (yuan)"),
    "legal_basis": _("legal basis"),
    "finding": _("the act fined (finding)"),
    "target": _("what is corrected"),
    "id": _("number of the person or finding (#)"),
    "field": _("field"),
    "value": _("correct value"),
    "correction": _("correction"),
    "approve": _("approve"),
    "until": _("new last day"),
    "decision_number": _("decision number"),
    "violation_date": _("date of the violation"),
    "fine": _("fine"),
    "url": _("website address"),
    "agency": _("cyberspace office"),
    "persons": _("persons to refer"),
    "report": _("report"),
    "police_agency": _("police agency"),
    "include_party": _("refer the party itself too"),
    "summary": _("summary"),
    "police_case_number": _("police case number"),
    "accept": _("accept the referral"),
    "procuratorate": _("procuratorate"),
    "outcome": _("outcome"),
    "documents": _("documents"),
    "kind_reason": _("reason for choosing this kind"),
    "competent_body": _("competent body to hand it to"),
    "served_on": _("served on"),
    "notice_received_on": _("day the notice was received (if later than in Xianjie)"),
    "method": _("served by"),
    "source": _("source"),
    "region": _("region"),
    "kinds": _("penalty (one or more)"),
    "facts": _("the facts found (as the notice states them)"),
    "penalty": _("penalty"),
    "text": _("what the party stated"),
    "stated_on": _("stated on"),
    "waives": _("the party waives the rest of its period to state its case"),
    "requested_on": _("hearing requested on"),
    "at": _("hearing date and time"),
    "place": _("hearing place"),
    "officer": _("presiding officer (did not investigate the case)"),
    "notified_on": _("hearing notice served on"),
    "record": _("hearing record (听证笔录)"),
    "consent": _("the party consented to electronic service (第61条)"),
    "waives_hearing": _("the party expressly waives its hearing"),
    "public": _("the hearing is public"),
    "private_reason": _("why not public (state secret, business secret, privacy)"),
    "opinion": _("legal review opinion (法制审核意见)"),
    "mitigation": _("ground for a fine below the minimum (行政处罚法 第32条)"),
    "collective_discussion": _("collective discussion of the heads (第57条: date, who, conclusion)"),
    "paid_on": _("paid on"),
    "case_number": _("number of the other case (案件编号)"),
    "relation": _("how the cases are linked"),
    "filed_on": _("filing date (立案日期)"),
    "charge": _("charge (罪名)"),
    "filing_decision": _("filing decision (立案决定书)"),
    "files": _("files of the case sent with it"),
}


# Where one action's input names a field otherwise than the rest (issue 18: the closing report).
INPUT_LABELS: dict[tuple[str, str], Promise] = {
    ("CloseInput", "summary"): _("closing report (结案报告)"),
    ("CaseCreateInput", "summary"): _("summary of the case (案情摘要)"),
    ("ListingInput", "instructions"): _("instructions of the supervision (督办要求)"),
    ("ProgressInput", "text"): _("progress of the case (督办进展)"),
    ("ReviewInput", "close"): _("close the listing (解除督办)"),
    ("ReviewInput", "note"): _("review opinion"),
    ("TypicalInput", "title"): _("title of the typical case"),
}


@dataclass
class Field:
    name: str
    label: str | Promise
    widget: str
    required: bool
    choices: list[tuple[Any, Any]] = field(default_factory=list)
    value: Any = ""
    errors: list[str] = field(default_factory=list)
    many: bool = False


def _widget(f: serializers.Field[Any, Any, Any, Any], has_choices: bool) -> str:
    if isinstance(f, serializers.ListField):
        return "checkboxes"
    if isinstance(f, serializers.FileField):
        return "file"
    if isinstance(f, serializers.BooleanField) and not has_choices:
        return "checkbox"
    if isinstance(f, serializers.ChoiceField) or has_choices:
        return "select"
    if isinstance(f, serializers.DateTimeField):
        return "datetime"
    if isinstance(f, serializers.DateField):
        return "date"
    if isinstance(f, serializers.DecimalField):
        return "decimal"
    if isinstance(f, serializers.CharField) and (f.max_length or 0) > 200:
        return "textarea"
    return "text"


def build_fields(
    serializer_class: type[serializers.Serializer[Any]],
    *,
    choices: dict[str, Any] | None = None,
    initial: dict[str, Any] | None = None,
    skip: tuple[str, ...] = ("version",),
    labels: dict[str, Any] | None = None,
) -> list[Field]:
    choices, initial, labels = choices or {}, initial or {}, labels or {}
    out = []
    for name, f in serializer_class().fields.items():
        if name in skip or f.read_only:
            continue
        options = choices.get(name)
        if options is None and isinstance(f, serializers.ChoiceField):
            options = [(k, v) for k, v in f.choices.items()]
        out.append(
            Field(
                name=name,
                label=_label(serializer_class, name, labels),
                widget=_widget(f, options is not None),
                required=f.required,
                choices=list(options or []),
                value=initial.get(name, _default(f)),
                many=isinstance(f, serializers.ListField),
            )
        )
    return out


def _label(serializer_class: type[serializers.Serializer[Any]], name: str, labels: dict[str, Any]) -> str | Promise:
    """The form's own label, else this input's, else the field's wherever it is asked for."""
    label: str | Promise | None = labels.get(name) or INPUT_LABELS.get((serializer_class.__name__, name))
    return label or LABELS.get(name) or name


def _default(f: serializers.Field[Any, Any, Any, Any]) -> Any:
    if isinstance(f, serializers.ListField):
        return []
    return "" if f.default is serializers.empty or callable(f.default) else f.default


def data_from_post(
    serializer_class: type[serializers.Serializer[Any]], post: QueryDict, files: Any = None
) -> dict[str, Any]:
    """The serializer's input from a form POST: blanks omitted, lists as lists, boxes as booleans,
    a file as uploaded."""
    data: dict[str, Any] = {}
    for name, f in serializer_class().fields.items():
        if isinstance(f, serializers.ListSerializer):
            continue  # nested lists (documents) are assembled by the view
        if isinstance(f, serializers.FileField):
            if files is not None and files.get(name):
                data[name] = files[name]
            continue
        if isinstance(f, serializers.ListField):
            data[name] = [v for v in post.getlist(name) if v != ""]
        elif isinstance(f, serializers.BooleanField):
            data[name] = post.get(name) in ("on", "true", "1")
        elif post.get(name, "") != "":
            data[name] = post.get(name)
    return data


def errors_of(exc: Exception) -> dict[str, list[str]]:
    """Any refusal of an action as {field or "__all__": [messages]}, ID numbers masked;
    PermissionDenied passes through."""
    masked: dict[str, list[str]] = redact(_errors_of(exc))
    return masked


def _errors_of(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, serializers.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"__all__": exc.detail}
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(exc, DjangoValidationError):
        return dict(exc.message_dict) if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    if isinstance(exc, Conflict):
        return {"__all__": [exc.detail]}
    raise exc


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flatten(v)]
    if isinstance(value, list):
        return [m for v in value for m in _flatten(v)]
    return [str(value)]


def attach(
    fields: list[Field], post: QueryDict, errors: dict[str, list[str]], shown: tuple[str, ...] = ()
) -> list[str]:
    """Put the submitted values and the field errors back on the form; return the other errors
    (but those of `shown`, which the page shows beside its own inputs)."""
    for f in fields:
        f.value = post.getlist(f.name) if f.many else post.get(f.name, "")
        f.errors = errors.get(f.name, [])
    known = {f.name for f in fields} | set(shown)
    return [m for k, msgs in errors.items() if k not in known for m in msgs]


def submit(
    serializer_class: type[serializers.Serializer[Any]],
    post: QueryDict,
    run: Callable[..., Any],
    extra: dict[str, Any] | None = None,
    files: Any = None,
) -> dict[str, list[str]] | None:
    """Validate `post` with the serializer and run the action; None on success, else the errors."""
    data = serializer_class(data=data_from_post(serializer_class, post, files) | (extra or {}))
    try:
        data.is_valid(raise_exception=True)
        run(**data.validated_data)
    except PermissionDenied:
        raise
    except (serializers.ValidationError, DjangoValidationError, Conflict) as exc:
        return errors_of(exc)
    return None


def action_form(
    request: HttpRequest,
    *,
    title: Any,
    subject: Any,
    back_url: str,
    input_class: type[serializers.Serializer[Any]],
    run: Callable[..., Any],
    done: Callable[[], HttpResponse],
    choices: dict[str, Any] | None = None,
    initial: dict[str, Any] | None = None,
    skip: tuple[str, ...] = ("version",),
    extra: Callable[[QueryDict], dict[str, Any]] | None = None,
    success: str | None = None,
    context: dict[str, Any] | None = None,
    labels: dict[str, Any] | None = None,
    template: str = "includes/action_form.html",
    shown: tuple[str, ...] = (),
) -> HttpResponse:
    """The one page of an action, for cases and referrals alike: the form built from the action's
    API input, and on POST the action run, then `done()` (a redirect) or the form again with every
    refusal on it (400). `extra(post)` adds input the form gathers its own way."""
    fields = build_fields(input_class, choices=choices, initial=initial, skip=skip, labels=labels)
    other: list[str] = []
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        errors = submit(input_class, request.POST, run, extra(request.POST) if extra else None, request.FILES) or {}
        if not errors:
            messages.success(request, success or _("Done: %(action)s.") % {"action": title})
            return done()
        other = attach(fields, request.POST, errors, shown)
    return render(
        request,
        template,
        {
            "title": title,
            "subject": subject,
            "back_url": back_url,
            "fields": fields,
            "other_errors": other,
            "errors": errors,
            **(context or {}),
        },
        status=400 if errors else 200,
    )

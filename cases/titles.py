"""What the timeline and the pages call each event: the titles declared with the case and
referral actions, and those of the events that are not actions of either table; the statuses an
event moved between and the data it carries, in words (never the codes the API speaks)."""

import datetime
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency
from core.calendar import legal_time
from core.webforms import LABELS

from .models import CaseStatus, ReferralStatus
from .referral_rules import REFERRAL_ACTIONS
from .rules import CASE_ACTIONS, OTHER_EVENT_TITLES

EVENT_TITLES: dict[str, Promise] = (
    {name: rule.title for name, rule in CASE_ACTIONS.items()}
    | {name: rule.title for name, rule in REFERRAL_ACTIONS.items()}
    | OTHER_EVENT_TITLES
)


def event_title(action: str) -> str:
    """The event's title in the active language; an action without one is named as an action."""
    title = EVENT_TITLES.get(action)
    return str(title) if title is not None else _("action “%(code)s”") % {"code": action}


def status_label(code: str, referral: bool = False) -> str:
    """A case's status (线索, 已立案 …) or, for a referral's event, the referral's."""
    if not code:
        return ""
    choices = ReferralStatus if referral else CaseStatus
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code_labels().get(code, code))


def transition(event: Any) -> str:
    """ "线索 → 已立案" for an event that moved a status; "" for one that did not."""
    if event.from_status == event.to_status:
        return ""
    referral = bool(getattr(event, "referral_id", None))
    return f"{status_label(event.from_status, referral) or '—'} → {status_label(event.to_status, referral) or '—'}"


# The names of the keys of events' data, where the action forms' labels (core.webforms) do not
# already name them.
DATA_LABELS: dict[str, Promise] = {
    "handlers": pgettext_lazy("event data", "handlers"),
    "from": pgettext_lazy("event data", "from"),
    "to": pgettext_lazy("event data", "to"),
    "old": pgettext_lazy("event data", "before"),
    "new": pgettext_lazy("event data", "after"),
    "status": pgettext_lazy("event data", "status"),
    "number": pgettext_lazy("event data", "number"),
    "referral": pgettext_lazy("event data", "referral"),
    "listing": pgettext_lazy("event data", "supervision listing"),
    "instructions": pgettext_lazy("event data", "instructions"),
    "close": pgettext_lazy("event data", "closed the listing"),
    "title": pgettext_lazy("event data", "title"),
    "text": pgettext_lazy("event data", "text"),
    "filename": pgettext_lazy("event data", "file name"),
    "sha256": pgettext_lazy("event data", "file fingerprint (SHA-256)"),
    "size": pgettext_lazy("event data", "size (bytes)"),
    "evidence": pgettext_lazy("event data", "evidence"),
    "due_at": pgettext_lazy("event data", "due"),
    "deadline_step": pgettext_lazy("event data", "step"),
    "step": pgettext_lazy("event data", "step"),
    "escalated_to": pgettext_lazy("event data", "escalated to"),
    "police_agency": pgettext_lazy("event data", "police agency"),
    "takedown": pgettext_lazy("event data", "takedown"),
    "rectification": pgettext_lazy("event data", "rectification order"),
    "penalty": pgettext_lazy("event data", "penalty"),
    "fine": pgettext_lazy("event data", "fine"),
    "suspension": pgettext_lazy("event data", "suspension"),
    "person": pgettext_lazy("event data", "person"),
    "persons": pgettext_lazy("event data", "persons"),
    "finding": pgettext_lazy("event data", "finding"),
    "summary": pgettext_lazy("event data", "closing report (结案报告)"),
    "decision_number": pgettext_lazy("event data", "decision number"),
    "documents": pgettext_lazy("event data", "documents"),
    "kinds": pgettext_lazy("event data", "penalty (one or more)"),
    "typical": pgettext_lazy("event data", "typical case"),
    "link": pgettext_lazy("event data", "case link"),
    "case": pgettext_lazy("event data", "case"),
    "report": pgettext_lazy("event data", "report"),
    "due": pgettext_lazy("event data", "due"),
    "campaign": pgettext_lazy("event data", "campaign"),
    "party": pgettext_lazy("event data", "party"),
    "credit_code": pgettext_lazy("event data", "unified social credit code"),
    "url": pgettext_lazy("event data", "website address"),
    "address": pgettext_lazy("event data", "address"),
    "representative": pgettext_lazy("event data", "legal representative"),
    "referable": pgettext_lazy("event data", "to be referred"),
    "files": pgettext_lazy("event data", "files"),
    "filed_on": pgettext_lazy("event data", "filing date"),
    "charge": pgettext_lazy("event data", "charge"),
    "filing_decision": pgettext_lazy("event data", "filing decision"),
    "police_case_number": pgettext_lazy("event data", "police case number"),
}
# Where an action's data names a key otherwise.
ACTION_DATA_LABELS: dict[tuple[str, str], Promise] = {
    ("add_evidence", "name"): pgettext_lazy("event data", "file name"),
    ("files", "name"): pgettext_lazy("event data", "file name"),
    ("files", "kind"): pgettext_lazy("event data", "document"),
    ("filing_decision", "name"): pgettext_lazy("event data", "file name"),
    # The head's opinion on a proposal (审批意见), not a legal reviewer's.
    ("approve", "opinion"): pgettext_lazy("event data", "approval opinion"),
    ("refuse", "opinion"): pgettext_lazy("event data", "approval opinion"),
    ("refuse", "reason"): pgettext_lazy("event data", "reason for the refusal"),
    ("report_listing_progress", "report"): pgettext_lazy("event data", "progress report"),
    # The party as the lead registered it (create).
    ("party", "name"): pgettext_lazy("event data", "name of the party"),
    ("party", "kind"): pgettext_lazy("event data", "kind of party"),
    ("party", "id_number"): pgettext_lazy("event data", "ID number"),
}


@cache
def code_labels() -> dict[str, str]:
    """Every choice value of the project's models with its label (the first model's label where two
    share a value): what a code in an event's data says in words."""
    labels: dict[str, Any] = {}
    for model in apps.get_models():
        if model._meta.app_label not in ("cases", "workflows", "oversight", "certificates", "agencies"):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value:
                    labels.setdefault(value, label)
    return labels


def _key_label(key: str, action: str = "") -> str:
    label = ACTION_DATA_LABELS.get((action, key)) or DATA_LABELS.get(key) or LABELS.get(key)
    return str(label) if label is not None else key


def _value_text(value: Any, names: Mapping[str, str], key: str = "") -> str:  # noqa: PLR0911
    if isinstance(value, Label):
        return str(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Mapping):  # its keys named as those of `key` (the party's name, kind …)
        return "（" + data_text(value, names, key) + "）"
    if isinstance(value, (list, tuple)):
        return "、".join(_value_text(v, names, key) for v in value) or "—"
    if isinstance(value, str):
        if value in names:
            return names[value]
        label = code_labels().get(value)
        return str(label) if label is not None else value
    return str(value)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def user_names(*datas: Any) -> dict[str, str]:
    """The display names of the users the data name by username (handlers, officers …) and the
    names of the agencies they name by slug (the police agency of a referral)."""
    strings = {s for data in datas for s in _strings(data)}
    users = {s for s in strings if "." in s or s == "admin"}
    slugs = {s for s in strings if "-" in s and " " not in s and len(s) <= 60}  # agencies by slug
    names: dict[str, str] = {}
    if users:
        names |= {
            u.username: u.get_full_name() or u.username for u in get_user_model().objects.filter(username__in=users)
        }
    if slugs:
        names |= dict(Agency.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return names


def _legal(iso: str) -> str:
    """An ISO time in an event's data as the law reads it ("12月4日24时" for the end of a day)."""
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return legal_time(moment, chinese=translation.get_language() == "zh-hans")


# Keys whose id the same data says in words under another key (the typical case's title, the
# linked case's number, the report's text): the id itself is left out.
SAID_OTHERWISE = frozenset({"typical", "link", "report", "correction"})
# A transmitted or uploaded file is named by its name and fingerprint beside its id.
NESTED_SAID_OTHERWISE = frozenset({("files", "evidence"), ("filing_decision", "evidence")})


PLURALS = {"persons": "person", "findings": "finding"}


class Label(str):
    """A value already in words (a measure's label for its id)."""


def data_text(
    data: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    action: str = "",
    measures: Mapping[str, Mapping[Any, str]] | None = None,
) -> str:
    """An event's data as a reader reads it: "理由：线索不实；承办人：执法人员一、执法人员二"; the
    measures it names by id (order, fine, penalty …) by their labels (`measure_labels(case)`)."""
    names = user_names(data) if names is None else names
    measures = measures or {}
    parts = []
    for key, value in data.items():
        if (key in SAID_OTHERWISE or (action, key) in NESTED_SAID_OTHERWISE) and isinstance(value, int):
            continue
        one = PLURALS.get(key, "")
        if one in measures and isinstance(value, list):
            value = [Label(measures[one].get(v, "—")) if isinstance(v, int) else v for v in value]
        elif key in measures and isinstance(value, (int, str)) and not isinstance(value, bool):
            value = Label(measures[key].get(value, "—" if isinstance(value, int) else value))
        elif key in ("step", "deadline_step") and isinstance(value, str):
            step = import_string("workflows.steps.STEPS").get(value)
            value = Label(step.label) if step is not None else value
        elif key in ("due_at", "at") and isinstance(value, str):
            value = Label(_legal(value))
        parts.append(f"{_key_label(key, action)}：{_value_text(value, names, key)}")
    return "；".join(parts)


# --- measures by what their papers call them, never by database id ------------------------------


def rectification_label(r: Any) -> str:
    return _("rectification order of %(day)s (due %(deadline)s)") % {
        "day": f"{timezone.localtime(r.issued_at):%Y-%m-%d}",
        "deadline": f"{r.deadline:%Y-%m-%d}",
    }


def suspension_label(s: Any) -> str:
    try:
        number = s.penalty.decision_number
    except ObjectDoesNotExist:  # ordered before the penalty procedure, or by no decision
        number = ""
    return number or _("suspension of production from %(day)s") % {"day": f"{s.starts_on:%Y-%m-%d}"}


def fine_label(f: Any) -> str:
    amount = f"¥{f.amount:,.2f}"
    if f.decision_number:
        return f"{f.decision_number}（{amount}）"
    return _("fine of %(amount)s decided %(day)s") % {"amount": amount, "day": f"{f.decided_on:%Y-%m-%d}"}


def penalty_label(p: Any) -> str:
    return (
        p.decision_number
        or p.notice_number
        or _("%(kinds)s proposed %(day)s")
        % {
            "kinds": p.kinds_display,
            "day": f"{timezone.localtime(p.proposed_at):%Y-%m-%d}",
        }
    )


def measure_labels(case: Any) -> dict[str, dict[Any, str]]:
    """The case's measures and records by the keys events' data name them with, each id → its label."""
    out: dict[str, dict[Any, str]] = {
        "order": {r.pk: rectification_label(r) for r in case.rectifications.all()},
        "suspension": {s.pk: suspension_label(s) for s in case.suspensions.all()},
        "fine": {f.pk: fine_label(f) for f in case.fines.all()},
        "penalty": {p.pk: penalty_label(p) for p in case.penalties.all()},
        "referral": {r.pk: r.number for r in case.referrals.all()},
        "evidence": {e.pk: e.name for e in case.evidence.all()},
        "takedown": {t.pk: t.url for t in case.takedowns.all()},
        "listing": {
            x.pk: _("listed %(day)s") % {"day": f"{timezone.localtime(x.created_at):%Y-%m-%d}"}
            for x in case.listings.all()
        },
    }
    out["rectification"] = out["order"]
    out["person"] = {p.pk: p.name for p in case.persons.all()}
    out["finding"] = {
        f.pk: f"{f.get_kind_display()}（{f.person.name if f.person else case.party_name}）"
        for f in case.findings.select_related("person")
    }
    out["region"] = {case.region.code: case.region.name}
    steps = import_string("workflows.steps.STEPS")
    out["deadline"] = {d.pk: str(steps[d.step].label) if d.step in steps else d.step for d in case.deadlines.all()}
    return out


def measure_label(obj: Any) -> str:
    """Any measure by its label (the pages' tables of measures)."""
    labels = {
        "Rectification": rectification_label,
        "Suspension": suspension_label,
        "Fine": fine_label,
        "Penalty": penalty_label,
    }
    label = labels.get(type(obj).__name__)
    return label(obj) if label else str(obj)

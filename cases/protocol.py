"""The one protocol of every state change, in every app (DESIGN §1): lock, check, change, finish.

An action is a function decorated with `@action`: it runs in one transaction, locks the case
row before it looks at any state (`lock`, or `begin`, which also checks who may act, the
version the caller loaded and the case's status), changes what it changes, and ends with
`finish`, which bumps the case's `version` and appends exactly one event to the case's chain.
Refusals raise before anything is written, and the transaction takes back anything that was:
a refused call changes nothing. The registry lets a test walk every action of every app.
"""

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from agencies import jurisdiction
from agencies.models import Agency
from core.errors import Code, Conflict

from .events import append_events, build_event
from .models import Case, Event, Referral
from .rules import CASE_ACTIONS, Who, may
from .titles import EVENT_TITLES

P = ParamSpec("P")
R = TypeVar("R")

# Every action function of every app, by dotted name (filled as the modules are imported).
ACTIONS: dict[str, Callable[..., Any]] = {}

# Who is told of what is decided by notifications.announce, which sits above the actions (it asks
# who may see a case); its app installs it here when Django starts, so actions announce through
# this one door without importing upwards.
_ANNOUNCERS: dict[str, Callable[..., list[Any]]] = {}


def install_announcer(*, announce: Callable[..., list[Any]], announce_many: Callable[..., list[Any]]) -> None:
    _ANNOUNCERS.update(announce=announce, announce_many=announce_many)


def _announcer(name: str) -> Callable[..., list[Any]]:
    try:
        return _ANNOUNCERS[name]
    except KeyError:
        raise ImproperlyConfigured("No announcer: add 'notifications' to INSTALLED_APPS.") from None


def announce(kind: str, **facts: Any) -> list[Any]:
    """Write the notifications of one event of `kind` in the caller's transaction (the outbox)."""
    return _announcer("announce")(kind, **facts)


def announce_many(kind: str, events: Any, **options: Any) -> list[Any]:
    """announce() for many events of one kind at once (the sweep's batches)."""
    return _announcer("announce_many")(kind, events, **options)


def action(fn: Callable[P, R]) -> Callable[P, R]:
    """Declare `fn` an action: one transaction, and listed in ACTIONS."""
    atomic = transaction.atomic(fn)

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return atomic(*args, **kwargs)

    ACTIONS[f"{fn.__module__}.{fn.__name__}"] = run
    return run


def lock(case: Case | int) -> Case:
    """The case row, locked for the rest of the transaction (two people acting at once queue here)."""
    pk = case if isinstance(case, int) else case.pk
    return Case.objects.select_for_update(of=("self",)).select_related("region", "agency").get(pk=pk)


def check_version(case: Case, version: int | None) -> None:
    """409 `stale` when the caller loaded an older version of the case (optional `version`)."""
    if version is not None and version != case.version:
        raise Conflict(
            Code.STALE,
            _("The case has changed since you loaded it (version %(yours)s, now %(now)s). Reload and try again.")
            % {"yours": version, "now": case.version},
        )


def title_of(action: str) -> str:
    """An action as people call it ("批准移送"), for the messages that refuse it."""
    return str(EVENT_TITLES.get(action, action))


def begin(
    case: Case,
    *,
    action: str,
    permitted: Callable[[Case], bool],
    refusal: str,
    version: int | None = None,
    states: Collection[str] | None = None,
) -> Case:
    """Lock the case, then check permission (403), version (409 stale) and state (409), in that order."""
    locked = lock(case)
    if not permitted(locked):
        raise PermissionDenied(refusal)
    check_version(locked, version)
    if states is not None and locked.status not in states:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("“%(action)s” is not possible while the case is %(status)s.")
            % {"action": title_of(action), "status": locked.get_status_display()},
        )
    return locked


def finish(
    case: Case,
    *,
    actor: User | None,
    action: str,
    agency: Agency | None = None,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    referral: Referral | None = None,
) -> Event:
    """Save the locked case with its version bumped and append the action's one event.

    `from_status`/`to_status` default to the case's status (an action that changes something
    else, a referral or a measure, names that record's statuses). The acting agency defaults to
    the actor's agency among the case's owner.
    """
    if agency is None and actor is not None:
        agency = jurisdiction.acting_agency(actor, [case.agency_id])
    case.version += 1
    event = build_event(
        case,
        action=action,
        actor=actor,
        agency=agency,
        from_status=from_status or case.status,
        to_status=to_status or case.status,
        data=data,
        referral=referral,
    )
    case.save()  # the version, the status and the chain's head, in one write
    append_events([event], move_heads=False)
    return event


def begin_case(case: Case, *, actor: User, action: str, version: int | None = None) -> Case:
    """`begin` for a case action of the rule table (cases.rules.CASE_ACTIONS)."""
    return begin(
        case,
        action=action,
        version=version,
        states=CASE_ACTIONS[action].source,
        permitted=lambda locked: may(actor, locked, action),
        refusal=(
            _("A referral is reported by the case's handlers and approved by the head (国务院令第310号 第5条).")
            if CASE_ACTIONS[action].who is Who.ASSIGNED and jurisdiction.is_head_of(actor, case.agency_id)
            else _("You may not run “%(action)s” on this case.") % {"action": title_of(action)}
        ),
    )

"""内部备注: internal notes on a case (issue 18).

Written by whoever may act on the case (its handlers, the head of its agency: rules.may_note),
read by those who see the case's internals (access.sees_internals: the owning agency and the
supervisors of the region) — never by the police, the procuratorates or another agency the case
was sent to. A note is never edited or deleted: a correction is a new note. Each note is also an
`add_note` event of the case's hash-chained log, with its text, so the chain vouches for it.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import AnyUser
from core.errors import field_error

from .access import sees_internals
from .models import Case, CaseNote
from .protocol import action, begin, finish
from .rules import may_note

NOT_YOURS = gettext_lazy("Only the case's handlers and the head of its agency write notes on it.")
NOT_SHOWN = gettext_lazy("The internal notes of this case are for its agency and its supervisors.")


def notes_of(user: AnyUser, case: Case) -> QuerySet[CaseNote]:
    """The case's notes, newest first, for someone who sees its internals; 403 for anyone else
    (the caller has already answered 404 to whoever does not see the case)."""
    if not sees_internals(user, case):
        raise PermissionDenied(str(NOT_SHOWN))
    return CaseNote.objects.filter(case=case).select_related("author", "agency", "event").order_by("-written_at", "-id")


@action
def add_note(case: Case, *, actor: User, text: str) -> CaseNote:
    """Append a note (and its event) to the case; 403 for anyone but its handlers and head, 400 for
    an empty text."""
    case = begin(case, action="add_note", permitted=lambda locked: may_note(actor, locked), refusal=str(NOT_YOURS))
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("Write the note."))
    event = finish(case, actor=actor, action="add_note", data={"text": text})
    return CaseNote.objects.create(
        case=case, author=actor, agency=event.agency, text=text, written_at=event.at, event=event
    )

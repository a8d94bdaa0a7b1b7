"""The party's own periods after an advance notice (行政处罚法 第44、45、63、64条): to state its case
and, where it has the right, to ask for a hearing. The procedure (penalties.py) and its workflow
(penalty_flow.py) both ask when they end."""

import datetime

from cases.models import Penalty, PenaltyStatus

PARTY_PERIODS = ("hearing_request", "statement")


def waived(penalty: Penalty) -> set[str]:
    """The party's periods it gave up on the record."""
    statements = penalty.statements.all()
    out = set()
    if any(s.waives for s in statements):
        out.add("statement")
    if any(s.waives_hearing for s in statements):
        out.add("hearing_request")
    return out


def party_heard_until(penalty: Penalty) -> datetime.datetime | None:
    """When the party's periods end, those it waived left out; None when none runs. A statement
    does not end them (the party may add to it), a waiver does."""
    if penalty.status != PenaltyStatus.NOTIFIED:
        return None
    gone = waived(penalty)
    running = [d for d in penalty.deadlines.all() if d.step in PARTY_PERIODS and d.step not in gone]
    return max((d.due_at for d in running), default=None)

"""A penalty walked through its procedure in one go, for the demo's story and the tests: the head
starts it, a handler serves the advance notice, the party waives its period, the head decides and
the decision is served — each step the action it is, with its event and its deadlines."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import User

from cases.models import Case, Fine, Penalty, Suspension, local_today
from workflows import penalties


def decided(
    case: Case,
    *,
    head: User,
    handler: User,
    penalty: Penalty,
    served: bool = True,
    on: datetime.date | None = None,
) -> Penalty:
    """Notice, waiver, decision and (when `served`) service of an approved penalty."""
    day = on or local_today()
    penalties.notify_penalty(case, actor=handler, penalty=penalty.pk, served_on=day, method="in_person")
    penalties.record_statement(
        case, actor=handler, penalty=penalty.pk, text="当事人对拟处罚无异议，放弃陈述申辩和听证。", waives=True
    )
    penalties.decide_penalty(case, actor=head, penalty=penalty.pk)
    if served:
        penalties.serve_decision(case, actor=handler, penalty=penalty.pk, served_on=day, method="in_person")
    return Penalty.objects.get(pk=penalty.pk)


def fine(
    case: Case,
    *,
    head: User,
    handler: User,
    amount: Decimal | str,
    legal_basis: str = "AQSCF-97-7",
    served: bool = False,
    **options: object,
) -> Fine:
    """A fine decided through the procedure (served when asked); the Fine it imposed."""
    started = penalties.impose_fine(case, actor=head, amount=Decimal(amount), legal_basis=legal_basis, **options)  # type: ignore[arg-type]
    done = decided(case, head=head, handler=handler, penalty=started, served=served)
    assert done.fine is not None
    return done.fine


def suspension(case: Case, *, head: User, handler: User, reason: str, starts_on: datetime.date) -> Suspension:
    """A suspension of production decided through the procedure; the order it made."""
    started = penalties.suspend_production(case, actor=head, reason=reason, starts_on=starts_on)
    done = decided(case, head=head, handler=handler, penalty=started, served=False)
    assert done.suspension_order is not None
    return done.suspension_order

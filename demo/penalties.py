"""A penalty walked through its procedure in one go, for the demo's story and the tests: the head
starts it, a handler serves the advance notice, the party waives its periods (and its hearing, where
it has one), the legal office reviews where 第58条 asks it, the head decides and the decision is
served — each step the action it is, with its event and its deadlines."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, Fine, Penalty, Suspension, local_today
from certificates.actions import add_evidence
from workflows import penalties

# The inspection record a decision rests on: a one-page PDF, as the evidence store takes it.
RECORD = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def reviewer_for(head: User) -> User:
    """The member of the head's agency who did not investigate and reviews (the demo's {city}.legal)."""
    return User.objects.get(username=f"{head.username.split('.')[0]}.legal")


def decided(
    case: Case,
    *,
    head: User,
    handler: User,
    penalty: Penalty,
    served: bool = True,
    on: datetime.date | None = None,
) -> Penalty:
    """Notice, waiver, review where needed, decision and (when `served`) service of an approved penalty."""
    day = on or local_today()
    if not case.evidence.exists():  # the decision states its evidence (第59条)
        add_evidence(case, SimpleUploadedFile("现场检查笔录.pdf", RECORD, "application/pdf"), actor=handler)
    penalties.notify_penalty(case, actor=handler, penalty=penalty.pk, served_on=day, method="in_person")
    waiver = "当事人对拟处罚无异议，书面放弃陈述申辩" + ("和听证。" if penalty.hearing_right else "。")
    penalties.record_statement(
        case, actor=handler, penalty=penalty.pk, text=waiver, waives=True, waives_hearing=penalty.hearing_right
    )
    discussion = ""
    if penalties.needs_review(penalty):
        opinion = "事实清楚，证据确凿，程序合法，适用依据正确，处罚适当。"
        penalties.review_penalty(case, actor=reviewer_for(head), penalty=penalty.pk, opinion=opinion)
        discussion = f"{day.isoformat()} 局长办公会集体讨论，同意按告知意见作出处罚。"
    penalties.decide_penalty(
        case, actor=head, penalty=penalty.pk, collective_discussion=discussion, note="当事人无异议，维持告知意见。"
    )
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


def suspension(
    case: Case,
    *,
    head: User,
    handler: User,
    reason: str,
    starts_on: datetime.date,
    amount: Decimal | str = "100000",
) -> Suspension:
    """A 责令停产停业整顿 with its fine (安全生产法 第97条, after the failed rectification the case must
    already hold), decided and served; the order it made."""
    started = penalties.suspend_production(case, actor=head, reason=reason, starts_on=starts_on, amount=Decimal(amount))
    done = decided(case, head=head, handler=handler, penalty=started, served=True)
    assert done.suspension_order is not None
    return done.suspension_order

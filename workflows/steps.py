"""The deadline table of DESIGN §3 as data: each legal step, its period and whom a miss reaches.

Plain data with no model behind it, so the Deadline model, the functions that open and meet
deadlines, the sweep and the announcements all read the one table.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import ReferralStatus as R

from .calendar import Period


class Notify(StrEnum):
    SUPERVISORS = "supervisors"  # supervisors of the case's region and above
    POLICE_HEAD = "police_head"  # heads of the police agency the referral is with
    PROCURATORATE = "procuratorate"  # the procuratorate of the police agency's city (a copy)
    AGENCY_HEAD = "agency_head"  # head of the agency owning the case
    SUPERVISORS_ABOVE = "supervisors_above"  # supervisors above the committee office that listed the case


@dataclass(frozen=True)
class Step:
    label: Promise  # lazily translated
    period: Period
    escalate_to: tuple[Notify, ...]
    # After the due time the step is no longer possible (a time bar), not merely late.
    bars_action: str | None = None
    # The referral statuses whose arrival opens this step (a re-entry by `forward` opens it again).
    opened_by: tuple[str, ...] = ()


DAYS = "days"  # switch a rule to "working_days" to count only working days (holidays.py)

STEPS: dict[str, Step] = {
    # 310号令 第5条: the head decides within 3 days; transmission within 24 hours of approval.
    "decide": Step(_("head decides on the proposal"), Period(3, DAYS), (Notify.SUPERVISORS,), opened_by=(R.PROPOSED,)),
    "transmit": Step(_("transmit after approval"), Period(24, "hours"), (Notify.SUPERVISORS,), opened_by=(R.APPROVED,)),
    # 310号令 第7条: the police sign the 回执; a police agency not competent forwards within 24 hours.
    "receipt": Step(
        _("police sign the receipt"),
        Period(1, DAYS),
        (Notify.POLICE_HEAD, Notify.SUPERVISORS),
        opened_by=(R.TRANSMITTED,),
    ),
    "forward": Step(
        _("forward if not competent"), Period(24, "hours"), (), bars_action="forward", opened_by=(R.RECEIVED,)
    ),
    # 310号令 第8条: 立案 or 不予立案 within 3 days of receipt.
    "police_decision": Step(
        _("police accept or reject"),
        Period(3, DAYS),
        (Notify.POLICE_HEAD, Notify.SUPERVISORS, Notify.PROCURATORATE),
        opened_by=(R.RECEIVED,),
    ),
    # 310号令 第9条, 程序规定 第181条: reconsideration asked within 3 days, decided within 3 days.
    "ask_reconsideration": Step(
        _("ask reconsideration"),
        Period(3, DAYS),
        (Notify.SUPERVISORS,),
        bars_action="request_reconsideration",
        opened_by=(R.REJECTED,),
    ),
    "decide_reconsideration": Step(
        _("decide reconsideration"),
        Period(3, DAYS),
        (Notify.SUPERVISORS, Notify.PROCURATORATE),
        opened_by=(R.RECONSIDERATION,),
    ),
    # 310号令 第9条: after an upheld rejection, the procuratorate may be asked within 3 days.
    "ask_procuratorate": Step(
        _("ask the procuratorate"), Period(3, DAYS), (Notify.SUPERVISORS,), opened_by=(R.REJECTION_UPHELD,)
    ),
    # 310号令 第12条: items and materials handed over within 3 days of the 立案 notice.
    "hand_over": Step(_("hand over evidence"), Period(3, DAYS), (Notify.SUPERVISORS,), opened_by=(R.ACCEPTED,)),
    "propose_referral": Step(_("propose referral of a referable finding"), Period(3, DAYS), (Notify.SUPERVISORS,)),
    "reinspect": Step(_("re-inspect a rectification"), Period(5, DAYS), (Notify.AGENCY_HEAD,)),
    # 挂牌督办: the listing's own deadline (a date), escalated to the supervisor above.
    "listing": Step(_("complete a supervision listing"), Period(0, DAYS), (Notify.SUPERVISORS_ABOVE,)),
}


def period_for(step: str) -> Period:
    """The step's period; WORKING_DAY_STEPS (settings) switches a day-counted step to working days."""
    period = STEPS[step].period
    if period.unit == DAYS and step in settings.WORKING_DAY_STEPS:
        return Period(period.amount, "working_days")
    return period


def opened_by(status: str) -> tuple[str, ...]:
    """The steps a referral arriving in `status` opens."""
    return tuple(name for name, step in STEPS.items() if status in step.opened_by)


def barring(action: str) -> str | None:
    """The step whose due time bars `action`, if any."""
    return next((name for name, step in STEPS.items() if step.bars_action == action), None)

"""The deadline table of DESIGN §3 as data: each legal step, its period and whom a miss reaches.

Plain data with no model behind it, so the Deadline model, the functions that open and meet
deadlines, the sweep and the announcements all read the one table.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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


DAYS = "days"  # switch a rule to "working_days" to count only working days (holidays.py)

STEPS: dict[str, Step] = {
    "decide": Step(_("head decides on the proposal"), Period(3, DAYS), (Notify.SUPERVISORS,)),
    "transmit": Step(_("transmit after approval"), Period(24, "hours"), (Notify.SUPERVISORS,)),
    "receipt": Step(_("police sign the receipt"), Period(1, DAYS), (Notify.POLICE_HEAD, Notify.SUPERVISORS)),
    "forward": Step(_("forward if not competent"), Period(24, "hours"), (), bars_action="forward"),
    "police_decision": Step(
        _("police accept or reject"), Period(3, DAYS), (Notify.POLICE_HEAD, Notify.SUPERVISORS, Notify.PROCURATORATE)
    ),
    "ask_reconsideration": Step(
        _("ask reconsideration"), Period(3, DAYS), (Notify.SUPERVISORS,), bars_action="request_reconsideration"
    ),
    "decide_reconsideration": Step(
        _("decide reconsideration"), Period(3, DAYS), (Notify.SUPERVISORS, Notify.PROCURATORATE)
    ),
    "ask_procuratorate": Step(_("ask the procuratorate"), Period(3, DAYS), (Notify.SUPERVISORS,)),
    "hand_over": Step(_("hand over evidence"), Period(3, DAYS), (Notify.SUPERVISORS,)),
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

"""Refusals that carry a code (DESIGN §4): 409 with {"detail", "code"}.

400 is Django's ValidationError with a dict of field messages; 403 is PermissionDenied;
404 is Http404. The API and the web forms translate all four the same way. The codes are one
enum, which the OpenAPI schema publishes as ConflictCodeEnum: a new code is added here, once.
"""

from enum import StrEnum

from django.core.exceptions import ValidationError


class Code(StrEnum):
    """The 409 codes of DESIGN §4, and the ones added since (each says why)."""

    INVALID_TRANSITION = "invalid_transition"
    UNREFERRED = "unreferred"
    OPEN_MEASURES = "open_measures"
    STALE = "stale"
    DEADLINE_PASSED = "deadline_passed"
    INTEGRITY = "integrity"  # an evidence file changed on disk since its upload
    SAME_ACT = "same_act"  # a second fine for the same illegal act (行政处罚法 第29条)


class Refusal(StrEnum):
    """The codes of answers that are not 409 but still carry one, so a client can act on them."""

    DATABASE_UNAVAILABLE = "database_unavailable"  # 503 with Retry-After: try again
    LOCKED_OUT = "locked_out"  # 429: too many failed logins, with retry_after
    OTP_REQUIRED = "otp_required"  # 403: the role requires two-factor; sign in with the code
    OTP_ENROLMENT_REQUIRED = "otp_enrolment_required"  # 403: enrol a device on the account page first


class Conflict(Exception):
    """The action is understood and permitted, but the record's state forbids it now."""

    status_code = 409

    def __init__(self, code: Code, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.code = Code(code)
        self.detail = detail
        self.extra = extra


def field_error(field: str, message: str) -> ValidationError:
    """A 400 answer naming one field: {field: [message]}."""
    return ValidationError({field: [message]})

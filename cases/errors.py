"""Refusals that carry a code (DESIGN §4): 409 with {"detail", "code"}.

400 is Django's ValidationError with a dict of field messages; 403 is PermissionDenied;
404 is Http404. The API and the web forms translate all four the same way.
"""


class Conflict(Exception):
    """The action is understood and permitted, but the record's state forbids it now."""

    status_code = 409

    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra


INVALID_TRANSITION = "invalid_transition"
UNREFERRED = "unreferred"
OPEN_MEASURES = "open_measures"
STALE = "stale"
DEADLINE_PASSED = "deadline_passed"

"""The case file (案卷) as a job (jobs.kinds.Kind.CASEFILE): the same PDF as /cases/case/<pk>/casefile.pdf
(cases.casefile.casefile_pdf), for the job's owner as they may see the case when the job runs, and
recorded as a printing as the download is."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.runner import JobError, Run

from .access import get_case_for
from .casefile import casefile_name, casefile_pdf, record_printing


def run_casefile(run: Run) -> None:
    owner = run.job.owner
    try:
        case = get_case_for(owner, run.job.params.get("case"))
    except (Http404, PermissionDenied):
        raise JobError(_("You may no longer see this case: its file was not made.")) from None
    run.set_total(1)  # one file, laid out in one piece
    body, full = casefile_pdf(case, owner)
    lines = [_("The case file of %(case)s.") % {"case": case.number}]
    if full:
        lines.append(_("ID numbers printed in full: %(count)d (recorded).") % {"count": full})
    with transaction.atomic():  # recorded as printed only if the file is kept
        link = reverse("cases:case:detail", args=[case.pk])
        summary = {"lines": lines, "link": link, "link_text": _("Back to the case")}
        run.finish(content=body, name=casefile_name(case), summary=summary)
        record_printing(owner, case, full)

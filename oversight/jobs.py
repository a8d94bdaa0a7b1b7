"""The monthly form's export as a job (jobs.kinds.Kind.MONTHLY_EXPORT): the province's sum reads the
figures of every city, longer than a request should wait. The file is made by the download's own
code (oversight.api.monthly_file), for the job's owner as they may see it when the job runs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.runner import JobError, Run

from .api import monthly_file


def run_monthly_export(run: Run) -> None:
    params = run.job.params
    run.set_total(1)
    try:
        found = monthly_file(run.job.owner, params)
    except (Http404, PermissionDenied):
        raise JobError(
            _("You no longer supervise region %(region)s: its monthly statistics were not exported.")
            % {"region": params.get("region", "")}
        ) from None
    except ValidationError as exc:
        raise JobError("; ".join(exc.messages)) from None
    report = found.report
    lines = [
        _("Monthly statistics of %(region)s for %(month)s, as %(format)s.")
        % {"region": report["region_name"], "month": report["month"], "format": params["format"].upper()}
    ]
    if "cities" in report:
        counted = sum(1 for city in report["cities"] if city["figures"] == "submitted")
        lines.append(
            _("The sum of %(counted)d of %(cities)d cities' submissions.")
            % {"counted": counted, "cities": len(report["cities"])}
        )
    elif not report.get("submission"):
        lines.append(_("Not submitted: the figures are a draft."))
    link = f"{reverse('oversight:monthly:index')}?region={report['region']}&month={report['month']}"
    run.finish(
        content=found.body,
        name=found.name,
        summary={"lines": lines, "link": link, "link_text": _("Monthly statistics")},
    )

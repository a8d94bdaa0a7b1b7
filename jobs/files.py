"""A job's files as responses, for its pages and for the API alike."""

import csv
import io

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from core.xlsx import safe_row

from .models import Job


def result_response(job: Job) -> FileResponse:
    if not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name or f"job-{job.pk}")


def rejected_response(job: Job) -> HttpResponse:
    """Every rejected row of the job, its line in the file and the reason, as CSV (UTF-8 with BOM,
    for Excel). The rows themselves are not kept: a registry's rows carry ID numbers."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Line"), _("Reason")])
    for line, reason in job.rejected_rows.values_list("line", "reason").iterator():
        writer.writerow(safe_row([line, reason]))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-rejected.csv"'
    return response

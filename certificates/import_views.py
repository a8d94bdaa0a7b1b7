"""The registry keepers' page: upload the certificate registry (CSV or XLSX), imported as a job
whose page follows it (certificates.import_job)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import importer
from .import_job import may_import, start_import


def refused_message() -> str:
    return _("Only the keepers of the certificate registry import it.")


def _page(request, errors: dict[str, str] | None = None, status: int = 200):
    return render(
        request,
        "certificates/import.html",
        {
            "errors": errors or {},
            "header": ",".join(importer.HEADER),
            "sample": importer.SAMPLE,
            "max_mb": f"{settings.IMPORT_MAX_BYTES // 2**20:,}",
            "max_rows": f"{settings.IMPORT_MAX_ROWS:,}",
        },
        status=status,
    )


@login_required
def import_registry(request):
    if not may_import(request.user):
        raise PermissionDenied(refused_message())
    if request.method != "POST":
        return _page(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, {"file": _("Choose the registry file (.xlsx or .csv).")}, status=400)
    try:
        job = start_import(request.user, upload)
    except importer.Refused as exc:
        return _page(request, {"file": str(exc)}, status=400)
    return redirect(job)

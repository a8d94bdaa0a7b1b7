"""The kinds of job, their names, and the function that runs each (imported when a job runs, so
that this app depends on none of the apps whose work it carries)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CERTIFICATE_IMPORT = "certificate_import", _("Certificate registry import")
    ROSTER_VERIFICATION = "roster_verification", _("Roster verification")
    MONTHLY_EXPORT = "monthly_export", _("Monthly statistics export")
    CASEFILE = "casefile", _("Case file PDF")


# The kinds that read rows of an uploaded file and may reject some.
ROW_KINDS = frozenset({Kind.CERTIFICATE_IMPORT, Kind.ROSTER_VERIFICATION})

# kind → "module.function" taking a jobs.runner.Run
RUNNERS: dict[str, str] = {
    Kind.CERTIFICATE_IMPORT: "certificates.import_job.run_import",
    Kind.ROSTER_VERIFICATION: "certificates.roster_job.run_roster",
    Kind.MONTHLY_EXPORT: "oversight.jobs.run_monthly_export",
    Kind.CASEFILE: "cases.jobs.run_casefile",
}

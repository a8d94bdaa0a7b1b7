"""The web application: viewflow's Material frontend, one Application per kind of work.

The menu shows only what the role uses: the oversight app to supervisors; the admin to staff.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from viewflow.contrib.admin import Admin
from viewflow.urls import Application, AppMenuMixin, Site, Viewset, route

from agencies import jurisdiction
from cases import casefile
from cases import views as cases
from certificates import import_views as certificate_imports
from certificates import views as certificates
from core import lists
from notifications import views as notices
from oversight import views as oversight
from workflows import claim_views
from workflows import views as workflows

from . import third_party_strings


# Anonymous visitors pass the app check so that the views send them to the login page.
def member(user) -> bool:
    return not user.is_authenticated or bool(jurisdiction.memberships_of(user))


def supervisor(user) -> bool:
    return not user.is_authenticated or oversight.is_supervisor(user)


class XianjieApp(Application):
    base_template_name = "site_base.html"
    permission = staticmethod(member)


class MineViewset(AppMenuMixin, Viewset):
    app_name = "mine"
    title = _("My tasks")
    icon = "assignment_ind"
    index_path = path("", workflows.inbox, name="index")


class QueueViewset(AppMenuMixin, Viewset):
    app_name = "queue"
    title = _("My agency's queue")
    icon = "groups"
    index_path = path("", workflows.queue, name="index")
    claim_path = path("<int:task_pk>/claim/", claim_views.claim_task, name="claim")
    release_path = path("<int:task_pk>/release/", claim_views.release_task, name="release")


class DoneViewset(AppMenuMixin, Viewset):
    app_name = "done"
    title = _("Done")
    icon = "task_alt"
    index_path = path("", workflows.done, name="index")


class JobsLink(AppMenuMixin, Viewset):
    """ "My jobs" in the workbench's menu: the pages stay at /jobs/ (jobs/urls.py, jobs:list)."""

    app_name = "jobs_link"
    title = _("My jobs")
    icon = "pending_actions"

    def reverse(self, viewname, args=None, kwargs=None, current_app=None):
        return reverse("jobs:list")


class TasksApp(XianjieApp):
    app_name = "tasks"
    title = _("Workbench")
    icon = "inbox"
    mine_path = route("mine/", MineViewset())
    queue_path = route("queue/", QueueViewset())
    done_path = route("done/", DoneViewset())
    jobs_path = route("jobs/", JobsLink())


class CaseViewset(AppMenuMixin, Viewset):
    app_name = "case"
    title = _("Cases")
    icon = "folder_open"
    index_path = path("", cases.case_list, name="index")
    create_path = path("new/", cases.case_create, name="create")
    detail_path = path("<int:pk>/", cases.case_detail, name="detail")
    casefile_path = path("<int:pk>/casefile.pdf", casefile.casefile, name="casefile")
    propose_path = path("<int:case_pk>/propose/", workflows.propose, name="propose")
    evidence_path = path("<int:pk>/files/upload/", certificates.case_evidence, name="evidence")
    notes_path = path("<int:pk>/notes/", cases.case_note, name="notes")
    action_path = path("<int:pk>/<str:name>/", cases.case_action, name="action")


class ListingViewset(AppMenuMixin, Viewset):
    app_name = "listing"
    title = _("Supervision listings")
    icon = "flag"
    index_path = path("", oversight.listing_list, name="index")
    detail_path = path("<int:pk>/", oversight.listing_detail, name="detail")
    new_path = path("new/<int:case_pk>/", oversight.listing_new, name="new")


class CasesApp(XianjieApp):
    app_name = "cases"
    title = _("Cases")
    icon = "gavel"
    case_path = route("case/", CaseViewset())
    listing_path = route("listings/", ListingViewset())
    # Saved filters of every list (core.lists), the user's own only.
    save_filter_path = path("filters/", lists.save_filter, name="save_filter")
    open_filter_path = path("filters/<int:pk>/", lists.open_filter, name="open_filter")
    delete_filter_path = path("filters/<int:pk>/delete/", lists.delete_filter, name="delete_filter")


class ReferralViewset(AppMenuMixin, Viewset):
    app_name = "referral"
    title = _("Referrals")
    icon = "send"
    index_path = path("", workflows.referral_list, name="index")
    detail_path = path("<int:pk>/", workflows.referral_detail, name="detail")
    chart_path = path("<int:pk>/chart.svg", workflows.referral_chart, name="chart")
    action_path = path("<int:pk>/<str:name>/", workflows.referral_action, name="action")


class ReferralsApp(XianjieApp):
    app_name = "referrals"
    title = _("Referrals")
    icon = "local_police"
    referral_path = route("referral/", ReferralViewset())


class DashboardViewset(AppMenuMixin, Viewset):
    app_name = "dashboard"
    title = _("Region dashboard")
    icon = "dashboard"
    index_path = path("", oversight.dashboard, name="index")


class MonthlyViewset(AppMenuMixin, Viewset):
    app_name = "monthly"
    title = _("Monthly statistics")
    icon = "table_chart"
    index_path = path("", oversight.monthly, name="index")


class ReturnsViewset(AppMenuMixin, Viewset):
    app_name = "returns"
    title = _("Campaign returns")
    icon = "assignment_turned_in"
    index_path = path("", oversight.returns_page, name="index")
    detail_path = path("<str:region>/<slug:kind>/", oversight.return_detail_page, name="detail")


class AuditViewset(AppMenuMixin, Viewset):
    app_name = "audit"
    title = _("Audit")
    icon = "fact_check"
    index_path = path("", oversight.audit_page, name="index")

    def has_view_permission(self, user, obj=None):
        return oversight.audit.is_province_supervisor(user)


class VerificationsViewset(AppMenuMixin, Viewset):
    app_name = "verifications"
    title = _("Certificate verifications")
    icon = "manage_search"
    index_path = path("", certificates.verification_records, name="index")


class OversightApp(XianjieApp):
    app_name = "oversight"
    title = _("Oversight")
    icon = "policy"
    permission = staticmethod(supervisor)
    dashboard_path = route("dashboard/", DashboardViewset())
    monthly_path = route("monthly/", MonthlyViewset())
    returns_path = route("returns/", ReturnsViewset())
    audit_path = route("audit/", AuditViewset())
    verifications_path = route("verifications/", VerificationsViewset())
    risk_path = path("risks/<slug:name>/", oversight.risk_list, name="risk")
    typical_path = path("typical/new/<int:case_pk>/", oversight.mark_typical, name="typical_new")
    network_path = path("network/<int:case_pk>/", oversight.network_page, name="network")


class CheckViewset(AppMenuMixin, Viewset):
    app_name = "check"
    title = _("Check a certificate")
    icon = "verified"
    index_path = path("", certificates.check, name="index")


class RosterViewset(AppMenuMixin, Viewset):
    app_name = "roster"
    title = _("Check a roster")
    icon = "fact_check"
    index_path = path("", certificates.roster, name="index")
    result_path = path("<int:pk>/", certificates.roster_result, name="result")
    download_path = path("<int:pk>/results.xlsx", certificates.roster_download, name="download")
    lead_path = path("<int:pk>/lead/<int:row>/", certificates.roster_lead, name="lead")

    def has_view_permission(self, user, obj=None):  # rosters are for regulators' officers and heads
        return not user.is_authenticated or certificates.batches.may_verify_in_bulk(user)


class ImportViewset(AppMenuMixin, Viewset):
    app_name = "import"
    title = _("Import the certificate registry")
    icon = "upload_file"
    index_path = path("", certificate_imports.import_registry, name="index")

    def has_view_permission(self, user, obj=None):  # the registry keepers only
        return not user.is_authenticated or certificate_imports.may_import(user)


class CertificatesApp(XianjieApp):
    app_name = "certificates"
    title = _("Certificates")
    icon = "badge"
    check_path = route("check/", CheckViewset())
    roster_path = route("roster/", RosterViewset())
    import_path = route("import/", ImportViewset())


class NoticeViewset(AppMenuMixin, Viewset):
    app_name = "list"
    title = _("Notifications")
    icon = "notifications"
    index_path = path("", notices.notification_list, name="index")


class NoticesApp(XianjieApp):
    app_name = "notices"
    title = _("Notifications")
    icon = "notifications"
    list_path = route("list/", NoticeViewset())
    read_all_path = path("read-all/", notices.read_all, name="read_all")
    # Opening one marks it read and goes to its page (issue 18).
    open_path = path("<int:pk>/open/", notices.open_notification, name="open")
    # Which kinds also come by e-mail (every e-mail links here).
    settings_path = path("settings/", notices.email_settings, name="settings")


# The admin pages of django_otp and django_celery_beat, in the catalog's words (their labels are plain English).
third_party_strings.label_admin_pages()

site = Site(
    title=_("Xianjie · work-safety enforcement and referral"),
    viewsets=[
        TasksApp(),
        CasesApp(),
        ReferralsApp(),
        OversightApp(),
        CertificatesApp(),
        NoticesApp(),
        Admin(title=_("Administration")),
    ],
)

from django.urls import path

from accounts.api import AuthToken, TokenDetail, TokenList
from agencies.api import AgencyList, Me, RegionList
from cases.api import views as cases
from cases.referral_rules import REFERRAL_ACTIONS
from cases.rules import CASE_ACTIONS, TAKEDOWN_ACTIONS
from certificates import api as certificates
from jobs import api as jobs
from notifications import api as notifications
from oversight import api as oversight
from oversight import listing_api
from workflows import api as workflows
from workflows import claim_views
from workflows.documents import PAPERS
from workflows.penalty_papers import PENALTY_PAPERS

urlpatterns = [
    path("auth/token/", AuthToken.as_view(), name="api-token"),
    path("auth/tokens/", TokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", TokenDetail.as_view(), name="api-token-detail"),
    path("me/", Me.as_view(), name="api-me"),
    path("regions/", RegionList.as_view(), name="api-regions"),
    path("agencies/", AgencyList.as_view(), name="api-agencies"),
    path("cases/", cases.CaseListCreate.as_view(), name="api-cases"),
    path("cases/search/", cases.CaseSearch.as_view(), name="api-case-search"),
    path("cases/<int:pk>/", cases.CaseDetail.as_view(), name="api-case"),
    path("cases/<int:pk>/events/", cases.CaseEvents.as_view(), name="api-case-events"),
    path("cases/<int:pk>/links/", cases.CaseLinks.as_view(), name="api-case-links"),
    path("cases/<int:pk>/notes/", cases.CaseNotes.as_view(), name="api-case-notes"),
    path("leads/report/", cases.ReportFind.as_view(), name="api-report-find"),
    *[
        path(
            f"cases/<int:pk>/actions/{name}/",
            cases.CaseAction.as_view(serializer_class=rule.input_class, run=rule.function),
            name=f"api-case-{name}",
        )
        for name, rule in CASE_ACTIONS.items()
    ],
    path("cases/<int:pk>/actions/<str:name>/", cases.UnknownAction.as_view()),
    path("referrals/", workflows.ReferralList.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", workflows.ReferralDetail.as_view(), name="api-referral"),
    *[
        path(
            f"referrals/<int:pk>/actions/{name}/",
            workflows.ReferralAction.as_view(action_name=name, serializer_class=rule.input_class),
            name=f"api-referral-{name}",
        )
        for name, rule in REFERRAL_ACTIONS.items()
    ],
    path("referrals/<int:pk>/actions/<str:name>/", cases.UnknownAction.as_view()),
    *[
        path(
            f"referrals/<int:pk>/{name}.pdf", workflows.ReferralPdf.as_view(document=name), name=f"api-referral-{name}"
        )
        for name in PAPERS
    ],
    *[
        path(
            f"cases/<int:pk>/penalties/<int:penalty>/{name}.pdf",
            workflows.PenaltyPdf.as_view(document=name),
            name=f"api-penalty-{name}",
        )
        for name in PENALTY_PAPERS
    ],
    path("tasks/", workflows.TaskList.as_view(), name="api-tasks"),
    path("tasks/<int:pk>/claim/", claim_views.ClaimTask.as_view(), name="api-task-claim"),
    path("tasks/<int:pk>/release/", claim_views.ReleaseTask.as_view(), name="api-task-release"),
    path("jobs/", jobs.JobList.as_view(), name="api-jobs"),
    path("jobs/<int:pk>/", jobs.JobDetail.as_view(), name="api-job"),
    path("jobs/<int:pk>/result/", jobs.JobResult.as_view(), name="api-job-result"),
    path("jobs/<int:pk>/rejected/", jobs.JobRejected.as_view(), name="api-job-rejected"),
    path("notifications/", notifications.NotificationList.as_view(), name="api-notifications"),
    path("notifications/read-all/", notifications.MarkAllRead.as_view(), name="api-notifications-read-all"),
    path("notifications/preferences/", notifications.Preferences.as_view(), name="api-notification-preferences"),
    path("notifications/<int:pk>/read/", notifications.MarkRead.as_view(), name="api-notification-read"),
    path("reports/monthly/", oversight.MonthlyReport.as_view(), name="api-report-monthly"),
    path("reports/monthly/export/", oversight.MonthlyExport.as_view(), name="api-report-monthly-export"),
    path("reports/monthly/submit/", oversight.SubmitMonthly.as_view(), name="api-report-submit"),
    path("reports/self-inspection/", oversight.SelfInspectionEntry.as_view(), name="api-report-self-inspection"),
    path("reports/submissions/", oversight.Submissions.as_view(), name="api-report-submissions"),
    path("reports/monthly/return/", oversight.ReturnMonth.as_view(), name="api-report-return"),
    path("reports/monthly/scan/", oversight.MonthlyScan.as_view(), name="api-report-scan"),
    path("reports/returns/", oversight.CampaignReturns.as_view(), name="api-report-returns"),
    path(
        "reports/returns/<str:region>/<slug:kind>/",
        oversight.CampaignReturnDetail.as_view(),
        name="api-report-return-detail",
    ),
    path(
        "reports/returns/<str:region>/<slug:kind>/file/",
        oversight.CampaignReturnFile.as_view(),
        name="api-report-return-file",
    ),
    path(
        "reports/returns/<str:region>/<slug:kind>/return/",
        oversight.ReturnCampaignReturn.as_view(),
        name="api-report-return-return",
    ),
    path("risks/<slug:name>/", oversight.RiskList.as_view(), name="api-risk"),
    path("cases/<int:pk>/timeline.xlsx", oversight.TimelineExport.as_view(kind="xlsx"), name="api-case-timeline-xlsx"),
    path("cases/<int:pk>/timeline.pdf", oversight.TimelineExport.as_view(kind="pdf"), name="api-case-timeline-pdf"),
    path("cases/<int:pk>/typical/", oversight.MarkTypical.as_view(), name="api-case-typical"),
    path("typical/", oversight.PublicTypicalCases.as_view(), name="api-typical"),
    path("audit/runs/", oversight.AuditRuns.as_view(), name="api-audit-runs"),
    path("listings/", listing_api.ListingList.as_view(), name="api-listings"),
    path("listings/<int:pk>/", listing_api.ListingDetail.as_view(), name="api-listing"),
    path(
        "listings/<int:pk>/actions/report_progress/",
        listing_api.ListingAction.as_view(action_name="report_progress", serializer_class=listing_api.ProgressInput),
        name="api-listing-report",
    ),
    path(
        "listings/<int:pk>/actions/review/",
        listing_api.ListingAction.as_view(action_name="review", serializer_class=listing_api.ReviewInput),
        name="api-listing-review",
    ),
    path("certificates/verify/", certificates.Verify.as_view(), name="api-certificates-verify"),
    path("certificates/leads/", certificates.LeadFromVerification.as_view(), name="api-certificates-lead"),
    path("certificates/imports/", certificates.RegistryImport.as_view(), name="api-certificates-import"),
    path("cases/<int:pk>/evidence/", certificates.CaseEvidence.as_view(), name="api-case-evidence"),
    path("evidence/<int:pk>/", certificates.EvidenceDownload.as_view(), name="api-evidence"),
    path("takedowns/", cases.TakedownList.as_view(), name="api-takedowns"),
    path("takedowns/<int:pk>/", cases.TakedownDetail.as_view(), name="api-takedown"),
]
urlpatterns += [
    path(
        f"takedowns/<int:pk>/actions/{name}/",
        cases.TakedownAction.as_view(action_name=name, serializer_class=rule.input_class),
        name=f"api-takedown-{name}",
    )
    for name, rule in TAKEDOWN_ACTIONS.items()
]

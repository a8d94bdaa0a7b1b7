"""GET /api/v1/reports/monthly/ (JSON, ?format=xlsx|pdf), POST …/monthly/export/ (the file by a job),
self-inspection entry, submission."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import jurisdiction
from agencies.models import Region
from cases.access import events_visible_to, get_case_for, identities_shown
from cases.models import Campaign
from core.api import params
from core.api.parsers import JSONParser
from core.api.schema import errors, example, results_of
from core.files import read_kept
from core.identity import validate_person_name, validate_phone
from jobs import runner
from jobs.api import JobOutput, accepted
from jobs.kinds import Kind

from . import actions, audit, exports, reports
from .models import AuditRun, CampaignReturn, SelfInspection, TypicalCase
from .risks import RISKS, describe, risk_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a region code and a month look like, documented and checked alike (in a query and a body).
REGION_CODE = r"^[0-9]{6}$"
MONTH = r"^[0-9]{4}-[0-9]{2}$"
GUANGZHOU = OpenApiExample("广州市", value="440100")
SEPTEMBER = OpenApiExample("2018年9月", value="2018-09")


class JsonUnlessFile(BaseContentNegotiation):
    """`format` here picks a file (xlsx, pdf), not a DRF renderer: answers are otherwise JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_field(
    {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "format": "decimal", "pattern": r"^\d+\.\d{2}$"}]}
)
class FigureField(serializers.JSONField):
    """A count (persons, companies, websites) or, in the fine rows (元), an amount such as "20000.00"."""


class RowOutput(serializers.Serializer):
    section = serializers.CharField()
    row = serializers.CharField()
    month = FigureField()
    cumulative = FigureField()


class ChangeOutput(serializers.Serializer):
    """A row whose live figures differ from the submitted ones: [本月, 累计] each."""

    section = serializers.CharField()
    row = serializers.CharField()
    submitted = serializers.ListField(child=FigureField())
    now = serializers.ListField(child=FigureField())


class CitySource(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    figures = serializers.ChoiceField(
        choices=["submitted", "not_submitted"], help_text="whether the province's sum counts this city's submission"
    )
    status = serializers.ChoiceField(choices=list(reports.STATUS_LABELS))
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    submitted_at_local = serializers.CharField()
    cumulative_from = serializers.CharField(
        help_text="the month whose submission gives this city's 累计 (YYYY-MM; an earlier one if this month's is "
        "not in; empty if none)"
    )


class CarriedOutput(serializers.Serializer):
    name = serializers.CharField()
    month = serializers.CharField()


class PeriodOutput(serializers.Serializer):
    # "from" is a Python keyword: declared by name below.
    to = serializers.DateField()


PeriodOutput._declared_fields["from"] = serializers.DateField()


class ReportOutput(serializers.Serializer):
    """The return of a city or the province: the figures of the record (what a city submitted, or
    its live figures as a draft until it does; the province's sum of its cities' submissions only)."""

    region = serializers.CharField()
    region_name = serializers.CharField()
    unit = serializers.CharField(help_text="the reporting office (填报单位)")
    month = serializers.CharField()
    campaign = serializers.CharField()
    period = PeriodOutput(help_text="the days the reporting month covers (cut-off day of the campaign)")
    rows = RowOutput(many=True)
    filled_by = serializers.CharField()
    reviewer = serializers.CharField()
    phone = serializers.CharField()
    due_at = serializers.DateTimeField()
    submission = serializers.JSONField(allow_null=True)
    since_submission = ChangeOutput(many=True)
    history = serializers.JSONField(help_text="every submission of the month, returned ones included")
    cities = CitySource(many=True, required=False)
    not_submitted = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="the cities whose month the province's sum leaves out"
    )
    carried = CarriedOutput(
        many=True,
        required=False,
        help_text="of those, the cities whose 累计 is carried from their latest earlier submission (本月 nothing)",
    )


def region_code(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(
        REGION_CODE, error_messages={"invalid": _("Give a six-digit division code such as 440100.")}, **kwargs
    )


def month_field(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(
        MONTH, error_messages={"invalid": _("Give the month as YYYY-MM, e.g. 2018-09.")}, **kwargs
    )


class ReportQuery(serializers.Serializer):
    region = region_code()
    month = month_field()
    campaign = serializers.SlugField(max_length=60, required=False, allow_blank=True)
    format = serializers.ChoiceField(choices=["json", "xlsx", "pdf"], required=False, default="json")
    # The province's own return has no submission: who fills it in, checks it and answers the phone
    # are given with the export (a city's come from its submission and cannot be overridden).
    filled_by = serializers.CharField(
        max_length=50, required=False, allow_blank=True, validators=[validate_person_name]
    )
    reviewer = serializers.CharField(max_length=50, required=False, allow_blank=True, validators=[validate_person_name])
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, validators=[validate_phone])


def _resolve(user, data: dict):
    month = reports.parse_month(data["month"])
    region = reports.region_for(user, data["region"])
    campaign = reports.find_campaign(data.get("campaign"), month)
    return region, month, campaign


@dataclass
class MonthlyFile:
    body: bytes
    content_type: str
    name: str
    report: dict


def monthly_file(user, data: dict) -> MonthlyFile:
    """The monthly form of `data` (region, month, campaign, format xlsx|pdf, and for the province its
    signing block) as its file, for a user who supervises the region (404 otherwise): what the
    download answers and what an export job keeps."""
    region, month, campaign = _resolve(user, data)
    report = reports.monthly_report(region, month, campaign)
    if region.level != Region.Level.CITY:
        report |= {k: data[k] for k in ("filled_by", "reviewer", "phone") if data.get(k)}
    kind = data["format"]
    body, content_type = (exports.xlsx(report), XLSX) if kind == "xlsx" else (exports.pdf(report), "application/pdf")
    return MonthlyFile(body, content_type, f"monthly-{region.code}-{report['month']}.{kind}", report)


class MonthlyReport(APIView):
    content_negotiation_class = JsonUnlessFile

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "region",
                OpenApiTypes.STR,
                required=True,
                description="city or province code",
                pattern=REGION_CODE,
                examples=[GUANGZHOU],
            ),
            OpenApiParameter(
                "month", OpenApiTypes.STR, required=True, description="YYYY-MM", pattern=MONTH, examples=[SEPTEMBER]
            ),
            OpenApiParameter("campaign", OpenApiTypes.STR),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx", "pdf"]),
            *(
                OpenApiParameter(name, OpenApiTypes.STR, description="the province's return only: its signing block")
                for name in ("filled_by", "reviewer", "phone")
            ),
        ],
        responses={
            200: ReportOutput,
            (200, XLSX): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **errors(400, 404),
        },
    )
    def get(self, request):
        query = params.query(ReportQuery, request)
        if query["format"] != "json":
            found = monthly_file(request.user, query)
            response = HttpResponse(found.body, content_type=found.content_type)
            response["Content-Disposition"] = f'attachment; filename="{found.name}"'
            return response
        region, month, campaign = _resolve(request.user, query)
        return Response(reports.monthly_report(region, month, campaign))


@example({"region": "440000", "month": "2018-09", "format": "pdf", "filled_by": "张填表", "reviewer": "李审核"})
class ExportInput(ReportQuery):
    format = serializers.ChoiceField(choices=["xlsx", "pdf"])


class MonthlyExport(APIView):
    """The monthly form as XLSX or PDF made by a job (the province's sum reads every city's figures):
    202 with the job; GET /api/v1/jobs/{id}/ says when it is done and where its file is. The file is
    the one GET /api/v1/reports/monthly/?format= gives."""

    @extend_schema(request=ExportInput, responses={202: JobOutput, **errors(400, 404)})
    def post(self, request):
        data = ExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        _resolve(request.user, data.validated_data)  # refused now, not only when the job runs
        return accepted(start_export(request.user, data.validated_data))


def start_export(user, data: dict):
    """The export job of a validated ExportInput."""
    keys = ("region", "month", "campaign", "format", "filled_by", "reviewer", "phone")
    return runner.start(Kind.MONTHLY_EXPORT, user, params={k: data[k] for k in keys if data.get(k)})


@example({"region": "440100", "month": "2018-09", "employers": 120, "employer_fake_found": 3})
class SelfInspectionInput(serializers.Serializer):
    region = serializers.CharField(max_length=6)
    month = serializers.CharField(max_length=7)
    campaign = serializers.SlugField(max_length=60, required=False)
    filled_by = serializers.CharField(
        max_length=50, required=False, allow_blank=True, validators=[validate_person_name]
    )
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


for _name in SelfInspection.FIELDS:
    SelfInspectionInput._declared_fields[_name] = serializers.IntegerField(
        min_value=0,
        max_value=10_000_000,
        required=False,  # left out: keeps what was entered before (0 at first)
        label=str(SelfInspection.label_of(_name)),
    )


class SelfInspectionEntry(APIView):
    """The city's self-inspection figures of a month: the figures given are saved, the others keep
    what was entered before (0 at first); refused once the month is submitted."""

    @extend_schema(request=SelfInspectionInput, responses={200: ReportOutput, **errors(404, 409)})
    def put(self, request):
        data = SelfInspectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        region, month, campaign = _resolve(request.user, values)
        for key in ("region", "month", "campaign"):
            values.pop(key, None)
        reports.save_self_inspection(actor=request.user, region=region, month=month, campaign=campaign, values=values)
        return Response(reports.monthly_report(region, month, campaign))


class MonthInput(serializers.Serializer):
    region = region_code()
    month = month_field()
    campaign = serializers.SlugField(max_length=60, required=False, allow_blank=True)


@example({"region": "440100", "month": "2018-09", "narrative": "本月检查用人单位120家……", "reviewer": "李某"})
class SubmitInput(MonthInput):
    narrative = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    reviewer = serializers.CharField(max_length=50, required=False, allow_blank=True, validators=[validate_person_name])
    # After a return by the province: what was corrected.
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class SubmitMonthly(APIView):
    """报送: the city's return frozen as it stands, with the month's work narrative."""

    @extend_schema(request=SubmitInput, responses={200: ReportOutput, **errors(400, 404, 409)})
    def post(self, request):
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        region, month, campaign = _resolve(request.user, data.validated_data)
        values = {k: data.validated_data.get(k, "") for k in ("narrative", "reviewer", "reason")}
        reports.submit_monthly(actor=request.user, region=region, month=month, campaign=campaign, **values)
        return Response(reports.monthly_report(region, month, campaign))


@example({"region": "440100", "month": "2018-09", "reason": "行政罚款累计数与上月报送数不衔接，请核实"})
class ReturnInput(MonthInput):
    reason = serializers.CharField(max_length=4000)


class ReturnMonth(APIView):
    """The province returns a city's submitted month for correction (the city submits again)."""

    @extend_schema(request=ReturnInput, responses={200: ReportOutput, **errors(400, 403, 404, 409)})
    def post(self, request):
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        region, month, campaign = _resolve(request.user, data.validated_data)
        reports.return_month(
            actor=request.user, region=region, month=month, campaign=campaign, reason=data.validated_data["reason"]
        )
        return Response(reports.monthly_report(region, month, campaign))


class ScanInput(MonthInput):
    file = serializers.FileField()


class MonthlyScan(APIView):
    """The stamped scan (盖章pdf扫描件) of a submitted month: uploaded by the city (PDF), hashed; read by
    the supervisors of the region, only if it still hashes to what was recorded."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ScanInput}, responses={200: ReportOutput, **errors(400, 404, 409)})
    def post(self, request):
        data = ScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        region, month, campaign = _resolve(request.user, data.validated_data)
        reports.attach_scan(
            actor=request.user, region=region, month=month, campaign=campaign, upload=data.validated_data["file"]
        )
        return Response(reports.monthly_report(region, month, campaign))

    @extend_schema(
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, required=True, pattern=REGION_CODE),
            OpenApiParameter("month", OpenApiTypes.STR, required=True, pattern=MONTH),
            OpenApiParameter("campaign", OpenApiTypes.STR),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(400, 404, 409)},
    )
    def get(self, request):
        region, month, campaign = _resolve(request.user, params.query(MonthInput, request))
        submission = reports.current(campaign, region, month)
        if submission is None or not submission.scan_sha256:
            raise Http404
        response = HttpResponse(read_kept(submission.scan, submission.scan_sha256), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="monthly-{region.code}-{month:%Y-%m}-stamped.pdf"'
        return response


@example({"region": "440100", "kind": "plan", "text": "广州市打击假冒特种作业操作证专项治理行动实施方案……"})
class CampaignReturnInput(serializers.Serializer):
    region = serializers.CharField(max_length=6)
    campaign = serializers.SlugField(max_length=60, required=False)
    kind = serializers.ChoiceField(choices=CampaignReturn.Kind.choices)
    text = serializers.CharField(max_length=20000)
    file = serializers.FileField(required=False)
    # After a return by the province: what was corrected.
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ReturnOutput(serializers.Serializer):
    region = serializers.CharField(source="region_id")
    kind = serializers.CharField()
    status = serializers.CharField()
    text = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    late = serializers.BooleanField()
    file_sha256 = serializers.CharField()


class CityReturns(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    returns = serializers.JSONField(
        help_text="[{what: plan|YYYY-MM|summary, status, label, submitted_at, submitted_at_local, resubmitted, "
        "due_at_local, scan}] in the campaign's order"
    )


class ReturnsQuery(serializers.Serializer):
    campaign = serializers.CharField(max_length=60, required=False, allow_blank=True)
    region = region_code(required=False)


class CampaignReturns(APIView):
    """The campaign's returns: a city submits its work plan or final summary (POST); the province
    sees per city what is in, late, returned or missing, month by month, a city its own row (GET)."""

    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", OpenApiTypes.STR),
            OpenApiParameter(
                "region",
                OpenApiTypes.STR,
                pattern=REGION_CODE,
                description="a city (default: every city the caller supervises)",
            ),
        ],
        responses={200: results_of(CityReturns, "CampaignReturnStatus"), **errors(400, 404)},
    )
    def get(self, request):
        query = params.query(ReturnsQuery, request)
        offices = jurisdiction.supervising_offices(request.user)
        if not offices:
            raise Http404
        region = reports.region_for(request.user, query.get("region") or offices[0].region.code)
        campaign = _campaign(query.get("campaign"))
        only = region if region.level == Region.Level.CITY else None
        return Response({"results": reports.returns_status(campaign, region=only), "next": None, "previous": None})

    @extend_schema(request=CampaignReturnInput, responses={201: ReturnOutput, **errors(400, 403, 404, 409)})
    def post(self, request):
        data = CampaignReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        region = reports.region_for(request.user, data.validated_data["region"])
        campaign = _campaign(data.validated_data.get("campaign"))
        record = reports.submit_return(
            actor=request.user,
            region=region,
            campaign=campaign,
            kind=data.validated_data["kind"],
            text=data.validated_data["text"],
            upload=data.validated_data.get("file"),
            reason=data.validated_data.get("reason", ""),
        )
        return Response(ReturnOutput(record).data, status=201)


class ReturnRecord(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CampaignReturn.Status.choices)
    text = serializers.CharField()
    reason = serializers.CharField(help_text="what was corrected, when submitted again after a return")
    submitted_at = serializers.DateTimeField()
    submitted_at_local = serializers.CharField()
    by = serializers.CharField()
    by_name = serializers.CharField()
    late = serializers.BooleanField()
    file = serializers.BooleanField(help_text="a PDF is on record (GET …/file/)")
    file_name = serializers.CharField()
    file_sha256 = serializers.CharField()
    returned_at_local = serializers.CharField()
    returned_by_name = serializers.CharField()
    return_reason = serializers.CharField()


class ReturnDetailOutput(serializers.Serializer):
    region = serializers.CharField()
    region_name = serializers.CharField()
    campaign = serializers.CharField()
    kind = serializers.ChoiceField(choices=CampaignReturn.Kind.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    due_at = serializers.DateTimeField(allow_null=True)
    due_at_local = serializers.CharField()
    current = ReturnRecord(allow_null=True, help_text="what is on record now; null if none (or returned)")
    history = ReturnRecord(many=True)


def _return_of(request, region: str, kind: str) -> tuple[Region, Campaign]:
    if kind not in ("plan", "summary"):
        raise Http404
    found = reports.region_for(request.user, region)
    if found.level != Region.Level.CITY:
        raise Http404
    return found, _campaign(request.query_params.get("campaign"))


class CampaignReturnDetail(APIView):
    """A city's work plan or final summary as submitted, with every earlier submission and the
    province's reasons for returning it (the supervisors of the city and of the province)."""

    @extend_schema(
        operation_id="v1_reports_returns_detail",
        parameters=[OpenApiParameter("campaign", OpenApiTypes.STR)],
        responses={200: ReturnDetailOutput, **errors(404)},
    )
    def get(self, request, region: str, kind: str):
        city, campaign = _return_of(request, region, kind)
        return Response(reports.campaign_return_detail(campaign, city, kind))


class CampaignReturnFile(APIView):
    """The PDF of what is on record now, only if it still hashes to what was recorded."""

    @extend_schema(
        parameters=[OpenApiParameter("campaign", OpenApiTypes.STR)],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(404, 409)},
    )
    def get(self, request, region: str, kind: str):
        city, campaign = _return_of(request, region, kind)
        record = reports.current_return(campaign, city, kind)
        if record is None or not record.file_sha256:
            raise Http404
        response = HttpResponse(read_kept(record.file, record.file_sha256), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{kind}-{city.code}.pdf"'
        return response


@example({"reason": "实施方案未明确各部门职责分工，请补充后重新报送"})
class ReturnReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ReturnCampaignReturn(APIView):
    """The province returns a city's work plan or summary for correction (the city submits again)."""

    @extend_schema(
        parameters=[OpenApiParameter("campaign", OpenApiTypes.STR)],
        request=ReturnReasonInput,
        responses={200: ReturnDetailOutput, **errors(400, 403, 404, 409)},
    )
    def post(self, request, region: str, kind: str):
        city, campaign = _return_of(request, region, kind)
        data = ReturnReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        reports.return_campaign_return(
            actor=request.user, region=city, campaign=campaign, kind=kind, reason=data.validated_data["reason"]
        )
        return Response(reports.campaign_return_detail(campaign, city, kind))


def _campaign(slug: str | None):
    found = Campaign.objects.filter(slug=slug).first() if slug else reports.default_month()
    if found is None:
        raise ValidationError({"campaign": [_("No such campaign.")]})
    return found if isinstance(found, Campaign) else found[0]


class StatusOutput(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=list(reports.STATUS_LABELS))
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_at_local = serializers.CharField()
    resubmitted = serializers.BooleanField(help_text="submitted again after a return")
    due_at_local = serializers.CharField()
    scan = serializers.BooleanField(help_text="the stamped scan is on record")


class Submissions(APIView):
    """For a province supervisor: per city, submitted / late / missing / pending."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, required=True, pattern=MONTH, examples=[SEPTEMBER]),
            OpenApiParameter("campaign", OpenApiTypes.STR),
        ],
        responses={200: results_of(StatusOutput, "SubmissionStatusList"), **errors(400, 404)},
    )
    def get(self, request):
        month = reports.parse_month(request.query_params.get("month", ""))
        province = Region.objects.filter(level=Region.Level.PROVINCE).first()
        reports.region_for(request.user, province.code if province else "")
        campaign = reports.find_campaign(request.query_params.get("campaign"), month)
        return Response({"results": reports.submission_status(campaign, month), "next": None, "previous": None})


class RiskRow(serializers.Serializer):
    case = serializers.IntegerField()
    case_number = serializers.CharField()
    referral = serializers.IntegerField(allow_null=True)
    referral_number = serializers.CharField(allow_null=True)
    subject = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="the deadline (lists of deadlines only)")
    at = serializers.DateTimeField(allow_null=True, help_text="the time of the row: deadline, refusal, decision")
    at_local = serializers.CharField(help_text="that time, local (a deadline at 24:00 of its last day)")
    detail = serializers.CharField()


class RiskList(APIView):
    """One risk list of the caller's region (supervisors only)."""

    @extend_schema(
        responses=results_of(RiskRow, "RiskList", title=serializers.CharField(), when=serializers.CharField())
    )
    def get(self, request, name: str):
        if name not in RISKS:
            raise Http404
        if not jurisdiction.supervised_paths(request.user):
            raise PermissionDenied
        rows = [describe(row) for row in risk_rows(request.user, name)[:500]]
        return Response(
            {
                "title": str(RISKS[name].title),
                "when": str(RISKS[name].when),
                "results": rows,
                "next": None,
                "previous": None,
            }
        )


class TimelineExport(APIView):
    """A case's full event log as XLSX or PDF; each export is itself recorded."""

    kind = "xlsx"

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY, (200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        case = get_case_for(request.user, pk)
        audit.record_view(request.user, request.path, case)
        events = events_visible_to(request.user, case)
        shown = identities_shown(request.user, case)  # certificate numbers masked as ID numbers are
        body = (audit.timeline_xlsx if self.kind == "xlsx" else audit.timeline_pdf)(case, events, shown)
        response = HttpResponse(body, content_type=XLSX if self.kind == "xlsx" else "application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{case.number}-timeline.{self.kind}"'
        return response


class TypicalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    region = serializers.CharField(source="case.region.name")
    marked_at = serializers.DateTimeField()


@example({"title": "持伪造操作证上岗案"})
class TypicalInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)


class MarkTypical(APIView):
    @extend_schema(request=TypicalInput, responses={201: TypicalOutput, **errors(409)})
    def post(self, request, pk: int):
        case = get_case_for(request.user, pk)
        data = TypicalInput(data=request.data)
        data.is_valid(raise_exception=True)
        typical = actions.mark_typical(case, actor=request.user, title=data.validated_data["title"])
        return Response(TypicalOutput(typical).data, status=201)


class PublicTypicalCases(APIView):
    """典型案例, public: redacted summaries only."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(responses=results_of(TypicalOutput, "TypicalCaseList"))
    def get(self, request):
        rows = TypicalCase.objects.select_related("case__region")[:100]
        return Response({"results": TypicalOutput(rows, many=True).data, "next": None, "previous": None})


class AuditRunOutput(serializers.Serializer):
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    cases = serializers.IntegerField()
    events = serializers.IntegerField()
    broken_case = serializers.CharField()
    broken_seq = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class AuditRuns(APIView):
    """verify_events runs, for the province supervisor; reading them is recorded."""

    @extend_schema(responses=results_of(AuditRunOutput, "AuditRunList"))
    def get(self, request):
        if not audit.is_province_supervisor(request.user):
            raise PermissionDenied
        audit.record_view(request.user, request.path)
        return Response(
            {"results": AuditRunOutput(AuditRun.objects.all()[:50], many=True).data, "next": None, "previous": None}
        )

"""POST /api/v1/certificates/verify/ (DESIGN §4), evidence files, and leads from verification."""

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api import RegionCodeField
from cases.access import get_case_for
from core.api.fields import CreditCodeField
from core.api.schema import ErrorOutput, errors, example, results_of
from core.files import PDF_OR_IMAGE
from jobs.api import JobOutput, accepted

from . import actions, batches, importer
from .import_job import may_import, start_import
from .models import Evidence, VerificationBatch
from .verify import MAX_ITEMS, STATUSES


class ItemInput(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)


@example({"items": [{"number": "T440100198503120172", "name": "张伟"}]})
class VerifyInput(serializers.Serializer):
    """{"items": [{"number", "name"}, …], "case"?}, at most 10,000. Checked by hand rather than by
    10,000 nested serializers: the same rules and messages, a fraction of the time (issue 8, B5).

    More than one item: officers and heads of a work-safety regulator only (403 otherwise). Without
    `case` an unknown number and a wrong name are both `no_match`; with `case` (one the caller may act
    on, at most VERIFY_CASE_MAX_ITEMS items) the full statuses. Quotas in items → 429 with Retry-After."""

    items = ItemInput(many=True, allow_empty=False)
    case = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="A case the caller acts on: full statuses."
    )

    def to_internal_value(self, data):
        case = data.get("case") if isinstance(data, dict) else None
        if case is not None and (isinstance(case, bool) or not isinstance(case, int) or not 1 <= case < 2**63):
            raise serializers.ValidationError({"case": [_("A case id (a positive integer).")]})
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise serializers.ValidationError({"items": [_('Send a non-empty list of {"number", "name"} items.')]})
        if len(items) > MAX_ITEMS:
            raise serializers.ValidationError(
                {
                    "items": [
                        _("At most %(max)s items a request (this one has %(n)s); split the roster.")
                        % {"max": f"{MAX_ITEMS:,}", "n": f"{len(items):,}"}
                    ]
                }
            )
        errors: dict[str, Any] = {}
        clean = []
        for index, item in enumerate(items):
            number = item.get("number") if isinstance(item, dict) else None
            name = item.get("name") if isinstance(item, dict) else None
            problems: dict[str, list[str | Promise]] = {}
            for field, value, limit in (("number", number, 40), ("name", name, 100)):
                if not isinstance(value, str) or not value.strip():
                    problems[field] = [_("This field is required.")]
                elif len(value) > limit or "\x00" in value:
                    problems[field] = [_("At most %(n)s characters, and no NUL.") % {"n": limit}]
            if problems:
                errors[str(index)] = problems
            else:
                clean.append({"number": number, "name": name})
        if errors:
            raise serializers.ValidationError({"items": errors})
        return {"items": clean, "case": case}


class ResultOutput(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)


class VerifyOutput(serializers.Serializer):
    results = ResultOutput(many=True)


class Verify(APIView):
    @extend_schema(
        request=VerifyInput,
        responses={
            200: VerifyOutput,
            **errors(404),
            429: OpenApiResponse(ErrorOutput, "A verification quota is used up; Retry-After says when it resets."),
        },
    )
    def post(self, request):
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        items, case_id = data.validated_data["items"], data.validated_data["case"]
        case = batches.case_context(request.user, case_id) if case_id is not None else None
        try:
            # Several numbers without a case are an employer's roster sent by a program.
            purpose = VerificationBatch.Purpose.ROSTER if len(items) > 1 else VerificationBatch.Purpose.CHECK
            results, _batch = batches.verify_for(request.user, items, purpose=purpose, case=case, via_api=True)
        except batches.QuotaExceeded as exc:
            raise Throttled(wait=exc.retry_after, detail=exc.message) from None
        return Response({"results": results})


class EvidenceOutput(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "case", "name", "content_type", "size", "sha256", "uploaded_at"]


class EvidenceUpload(serializers.Serializer):
    file = serializers.FileField()


class CaseEvidence(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=results_of(EvidenceOutput, "EvidenceList"))
    def get(self, request, pk: int):
        case = get_case_for(request.user, pk)
        return Response(
            {"results": EvidenceOutput(case.evidence.all(), many=True).data, "next": None, "previous": None}
        )

    @extend_schema(request={"multipart/form-data": EvidenceUpload}, responses={201: EvidenceOutput, **errors(409)})
    def post(self, request, pk: int):
        case = get_case_for(request.user, pk)
        data = EvidenceUpload(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = actions.add_evidence(case, data.validated_data["file"], actor=request.user)
        return Response(EvidenceOutput(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDownload(APIView):
    """The file, for those who see its case, checked against its SHA-256 first."""

    @extend_schema(responses={**{(200, kind): OpenApiTypes.BINARY for kind in PDF_OR_IMAGE.values()}, **errors(409)})
    def get(self, request, pk: int):
        evidence = Evidence.objects.filter(pk=pk).first()
        if evidence is None:
            raise Http404
        get_case_for(request.user, evidence.case_id)
        response = HttpResponse(actions.read_evidence(evidence), content_type=evidence.content_type)
        response["Content-Disposition"] = f'attachment; filename="evidence-{evidence.pk}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


@example({"number": "T440100198503120172", "name": "张伟", "status": "not_found"})
class LeadInput(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    status = serializers.ChoiceField(choices=list(actions.SUGGESTED_FINDING))
    region = RegionCodeField(default=None)
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    credit_code = CreditCodeField(required=False, allow_blank=True)


class LeadOutput(serializers.Serializer):
    case = serializers.IntegerField(source="pk")
    number = serializers.CharField()


class LeadFromVerification(APIView):
    @extend_schema(request=LeadInput, responses={201: LeadOutput})
    def post(self, request):
        data = LeadInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = actions.lead_from_verification(actor=request.user, **data.validated_data)
        return Response(LeadOutput(case).data, status=status.HTTP_201_CREATED)


class ImportUpload(serializers.Serializer):
    file = serializers.FileField(
        help_text="The registry, XLSX or CSV (UTF-8), its first line the header "
        + ",".join(importer.HEADER)
        + "; told by its content, whatever its name says."
    )


class RegistryImport(APIView):
    """Import the certificate registry: the file is checked (size, kind, header) and stored, and a job
    imports it, batch by batch, upserting by number (as `manage.py import_certificates`). 202 with
    the job: GET /api/v1/jobs/{id}/ follows it, and lists the rejected rows' CSV once it has them.
    The registry keepers only (the permission certificates.import_certificates); 403 otherwise."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportUpload},
        responses={202: OpenApiResponse(JobOutput, "Accepted: the import job, queued or already running.")},
    )
    def post(self, request):
        if not may_import(request.user):
            raise PermissionDenied(_("Only the keepers of the certificate registry import it."))
        data = ImportUpload(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = start_import(request.user, data.validated_data["file"])
        except importer.Refused as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        return accepted(job)

"""POST /api/v1/certificates/verify/ (DESIGN §4), evidence files, and leads from verification."""

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api import RegionCodeField
from cases.access import get_case_for
from core.api.fields import CreditCodeField
from core.api.schema import errors, example, results_of
from core.files import PDF_OR_IMAGE

from . import actions
from .models import Evidence
from .verify import MAX_ITEMS, STATUSES, verify


class ItemInput(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)


@example({"items": [{"number": "T440100198503120172", "name": "张伟"}]})
class VerifyInput(serializers.Serializer):
    """{"items": [{"number", "name"}, …]}, at most 10,000. Checked by hand rather than by 10,000
    nested serializers: the same rules and messages, a fraction of the time (issue 8, B5)."""

    items = ItemInput(many=True, allow_empty=False)

    def to_internal_value(self, data):
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
        return {"items": clean}


class ResultOutput(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)


class VerifyOutput(serializers.Serializer):
    results = ResultOutput(many=True)


class Verify(APIView):
    @extend_schema(request=VerifyInput, responses=VerifyOutput)
    def post(self, request):
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"results": verify(data.validated_data["items"])})


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

    @extend_schema(request={"multipart/form-data": EvidenceUpload}, responses={201: EvidenceOutput})
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

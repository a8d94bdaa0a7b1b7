"""API v1 for referrals (DESIGN §4) and the caller's workflow tasks."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from cases.api.serializers import ActionInput, EventOutput
from cases.models import Event, Referral, ReferralDocument
from cases.referral_rules import REFERRAL_ACTIONS
from core.access import AnyUser, AuthenticatedRequest
from core.api import pagination
from core.api.schema import errors, example
from core.errors import Code, Conflict

from . import actions as referrals
from . import documents
from .access import get_referral_for, referrals_visible_to
from .models import Deadline, TaskRoute
from .tasks import open_tasks_for


@example({"persons": [1], "report": "持伪造的特种作业操作证上岗，涉嫌使用伪造的国家机关证件。"})
class ProposeReferralInput(ActionInput):
    persons = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=200, allow_empty=True
    )
    report = serializers.CharField(max_length=20000)
    police_agency = serializers.SlugField(max_length=60, required=False)
    include_party = serializers.BooleanField(required=False, default=False)


@example({})
class Empty(serializers.Serializer[Any]):
    pass


@example({"reason": "证据不足"})
class ReferralReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=4000)


@example({"note": "同意"})
class NoteInput(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000)


class DocumentInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ReferralDocument.Kind.choices)
    title = serializers.CharField(max_length=200)


@example(
    {
        "documents": [
            {"kind": "transfer_letter", "title": "涉嫌犯罪案件移送书"},
            {"kind": "investigation_report", "title": "涉嫌犯罪案件调查报告"},
            {"kind": "evidence_list", "title": "涉案物品清单"},
        ]
    }
)
class TransmitInput(serializers.Serializer[Any]):
    # many=True makes a ListSerializer, which takes max_length; the stubs check the child's arguments.
    documents = DocumentInput(many=True, max_length=50)  # type: ignore[call-arg]


@example({"police_agency": "foshan-police", "reason": "案发地不在本辖区"})
class ForwardInput(serializers.Serializer[Any]):
    police_agency = serializers.SlugField(max_length=60)
    reason = serializers.CharField(max_length=4000)


@example({"police_case_number": "GA-2018-001"})
class AcceptInput(serializers.Serializer[Any]):
    police_case_number = serializers.CharField(max_length=60)


@example({"accept": False, "reason": "维持不予立案决定"})
class DecideReconsiderationInput(serializers.Serializer[Any]):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=4000)
    police_case_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


@example({"procuratorate": "guangzhou-procuratorate", "reason": "公安机关不予立案理由不成立"})
class RequestSupervisionInput(serializers.Serializer[Any]):
    procuratorate = serializers.SlugField(max_length=60)
    reason = serializers.CharField(max_length=4000)


@example({"outcome": "accept", "note": "通知公安机关立案"})
class ResolveSupervisionInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=["accept", "reject"])
    note = serializers.CharField(max_length=4000)


@example({"items": "伪造的操作证一本，现场照片三张"})
class HandOverInput(serializers.Serializer[Any]):
    items = serializers.CharField(max_length=4000)


class DocumentOutput(serializers.ModelSerializer[ReferralDocument]):
    class Meta:
        model = ReferralDocument
        fields = ["id", "kind", "title", "added_at"]


class ReferralOutput(serializers.ModelSerializer[Referral]):
    case = serializers.IntegerField(source="case_id")
    case_number = serializers.CharField(source="case.number")
    referring_agency = serializers.CharField(source="referring_agency.slug")
    police_agency = serializers.CharField(source="police_agency.slug")
    procuratorate: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    persons = serializers.SerializerMethodField()
    documents = DocumentOutput(many=True)
    due_at = serializers.SerializerMethodField()
    due_step = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "number",
            "case",
            "case_number",
            "status",
            "referring_agency",
            "police_agency",
            "procuratorate",
            "persons",
            "includes_party",
            "report",
            "reason",
            "police_case_number",
            "documents",
            "due_at",
            "due_step",
            "overdue",
            "created_at",
            "updated_at",
        ]

    def get_persons(self, referral: Referral) -> list[int]:
        return [p.pk for p in referral.persons.all()]

    def _next_deadline(self, referral: Referral) -> Deadline | None:
        pending = [d for d in referral.deadlines.all() if d.met_at is None]
        return min(pending, key=lambda d: d.due_at) if pending else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, referral: Referral) -> str | None:
        d = self._next_deadline(referral)
        return d.due_at.isoformat() if d else None

    def get_due_step(self, referral: Referral) -> str | None:
        d = self._next_deadline(referral)
        return d.step if d else None

    def get_overdue(self, referral: Referral) -> bool:
        d = self._next_deadline(referral)
        return bool(d and d.due_at <= self.context["now"])


class ReferralDetailOutput(ReferralOutput):
    actions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(ReferralOutput.Meta):
        fields = ReferralOutput.Meta.fields + ["actions", "history"]

    def get_actions(self, referral: Referral) -> list[str]:
        return referrals.available_referral_actions(referral, self.context["request"].user)

    @extend_schema_field(EventOutput(many=True))
    def get_history(self, referral: Referral) -> Any:
        events = Event.objects.filter(referral=referral).select_related("actor", "agency").order_by("seq")
        return EventOutput(events, many=True).data


def referral_queryset(user: AnyUser, *, visible_only: bool = True) -> QuerySet[Referral]:
    base = referrals_visible_to(user) if visible_only else Referral.objects.all()
    return base.select_related(
        "case__region", "case__agency", "referring_agency", "police_agency", "procuratorate"
    ).prefetch_related(
        "persons", "documents", "case__handlers", Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at"))
    )


@extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR)])
class ReferralList(generics.ListAPIView[Referral]):
    serializer_class = ReferralOutput
    pagination_class = pagination.by("-created_at", "-id")

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"now": timezone.now()}

    def get_queryset(self) -> QuerySet[Referral]:
        qs = referral_queryset(self.request.user)
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs


def referral_response(request: AuthenticatedRequest, pk: int, *, visible_only: bool = True) -> Response:
    referral = referral_queryset(request.user, visible_only=visible_only).get(pk=pk)
    return Response(ReferralDetailOutput(referral, context={"request": request, "now": timezone.now()}).data)


class ReferralDetail(APIView):
    @extend_schema(responses=ReferralDetailOutput)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return referral_response(request, get_referral_for(request.user, pk).pk)


class ReferralAction(generics.GenericAPIView[Referral]):
    action_name = ""
    serializer_class = Empty

    @extend_schema(responses=ReferralDetailOutput)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        referral = get_referral_for(request.user, pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        REFERRAL_ACTIONS[self.action_name].function(referral, actor=request.user, **data.validated_data)
        # The actor sees the outcome of their own action, even a forward that takes the case away.
        return referral_response(request, referral.pk, visible_only=False)


class TaskOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="task_id")
    title = serializers.CharField(source="task.title")
    step = serializers.CharField(source="task.flow_task.name")
    case = serializers.IntegerField(source="case_id")
    referral = serializers.IntegerField(source="referral_id", allow_null=True)
    agency = serializers.IntegerField(source="agency_id")
    role = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    created = serializers.DateTimeField(source="task.created")

    def get_overdue(self, task: TaskRoute) -> bool:
        return bool(task.due_at and task.due_at <= self.context["now"])


class TaskList(generics.ListAPIView[TaskRoute]):
    """The caller's open workflow tasks: those of their agencies and roles, never their own proposals."""

    serializer_class = TaskOutput

    pagination_class = pagination.by("due_at", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"now": timezone.now()}

    def get_queryset(self) -> QuerySet[TaskRoute]:
        if getattr(self, "swagger_fake_view", False):
            return TaskRoute.objects.none()
        return open_tasks_for(self.request.user)


class ReferralPdf(APIView):
    """The 移送书 (letter) or its 回执 (receipt), for those who see the referral."""

    document = "letter"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(409)})
    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        referral = get_referral_for(request.user, pk)
        if self.document == "receipt" and referral.received_at is None:
            raise Conflict(Code.INVALID_TRANSITION, _("The police have not signed the receipt yet."))
        make = documents.receipt if self.document == "receipt" else documents.transfer_letter
        response = HttpResponse(make(referral), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{referral.number}-{self.document}.pdf"'
        return response

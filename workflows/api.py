"""API v1 for referrals (DESIGN §4) and the caller's workflow tasks."""

from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from cases.access import Identities, get_case_for, identities_shown
from cases.api.serializers import ActionInput, EventOutput
from cases.kinds import ReferralKind
from cases.models import Event, IdNumberView, Penalty, Referral, ReferralDocument, ReferralStatus
from cases.referral_rules import REFERRAL_ACTIONS
from core.access import AnyUser, AuthenticatedRequest, evaluated, prefetched
from core.api import pagination, params
from core.api.schema import errors, example
from core.errors import Code, Conflict

from . import actions as referrals
from . import documents
from .access import get_referral_for, referrals_visible_to
from .models import Deadline, ReferralFile, TaskRoute
from .penalty_papers import PENALTY_PAPERS
from .steps import STEPS, next_due
from .tasks import open_tasks_for


@example({"persons": [1], "report": "持伪造的特种作业操作证上岗，涉嫌使用伪造的国家机关证件。"})
class ProposeReferralInput(ActionInput):
    persons = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=200, allow_empty=True
    )
    report = serializers.CharField(max_length=20000)
    police_agency = serializers.SlugField(max_length=60, required=False)
    include_party = serializers.BooleanField(required=False, default=False)
    # Default: from the findings (a suspected crime → criminal; using a forged certificate → 治安).
    kind = serializers.ChoiceField(choices=ReferralKind.choices, required=False)
    kind_reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


@example({})
class Empty(serializers.Serializer[Any]):
    pass


@example({"reason": "证据不足"})
class ReferralReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=4000)


@example({"opinion": "同意移送"})
class ApproveInput(serializers.Serializer[Any]):
    # 审批意见: optional on an approval; kept as written.
    opinion = serializers.CharField(max_length=4000, required=False, allow_blank=True)


@example({"reason": "证据不足，现有材料不能证明其明知证件系伪造", "opinion": "不同意移送，请补充调查后再报"})
class RefuseInput(ReferralReasonInput):
    # 审批意见 when it says more than the reasons; without it the reasons are the opinion.
    opinion = serializers.CharField(max_length=4000, required=False, allow_blank=True)


@example({"reason": "鉴定意见足以证明其伪造证件，请予复议", "notice_received_on": "2018-10-02"})
class RequestReconsiderationInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=4000)
    # The day the agency received the 不予立案 notice, when later than the rejection in Xianjie.
    notice_received_on = serializers.DateField(required=False)


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
class PackageFileInput(serializers.Serializer[Any]):
    """A file of the case (GET /api/v1/cases/{id}/evidence/) sent as a document of the package."""

    kind = serializers.ChoiceField(choices=ReferralDocument.Kind.choices)
    evidence = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TransmitInput(serializers.Serializer[Any]):
    # many=True makes a ListSerializer, which takes max_length; the stubs check the child's arguments.
    # `documents` names the papers; `files` sends files of the case. Together they hold the first
    # three kinds (with files, Xianjie's own 移送书 stands for the transfer letter).
    documents = DocumentInput(many=True, max_length=50, required=False)  # type: ignore[call-arg]
    files = PackageFileInput(many=True, max_length=50, required=False)  # type: ignore[call-arg]


@example({"police_agency": "foshan-police", "reason": "案发地不在本辖区"})
class ForwardInput(serializers.Serializer[Any]):
    police_agency = serializers.SlugField(max_length=60)
    reason = serializers.CharField(max_length=4000)


@example({"items": "缺少伪造证件的鉴定意见，请补充"})
class SupplementRequestInput(serializers.Serializer[Any]):
    items = serializers.CharField(max_length=4000)


@example({"note": "已补充证件真伪鉴定意见", "documents": [{"kind": "inspection_report", "title": "证件鉴定意见书"}]})
class SupplementInput(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000)
    documents = DocumentInput(many=True, max_length=50, required=False)  # type: ignore[call-arg]


@example({"reason": "所涉行为不属于公安机关职责范围", "competent_body": "广州市市场监督管理局"})
class DeclineJurisdictionInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=4000)
    competent_body = serializers.CharField(max_length=200, required=False, allow_blank=True)


@example({"outcome": "对张伟处行政拘留十日，并处罚款五百元"})
class OutcomeInput(serializers.Serializer[Any]):
    outcome = serializers.CharField(max_length=4000)


@example({"police_case_number": "GA-2018-001", "filed_on": "2018-10-08", "charge": "伪造、买卖国家机关证件罪"})
class AcceptInput(serializers.Serializer[Any]):
    police_case_number = serializers.CharField(max_length=60)
    # 立案日期 (default today: not in the future, not before the receipt), 罪名 (案由 for 治安), and
    # the 立案决定书 as a file (multipart/form-data; PDF, PNG or JPEG).
    filed_on = serializers.DateField(required=False)
    charge = serializers.CharField(max_length=200, required=False, allow_blank=True)
    filing_decision = serializers.FileField(required=False)


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
    # 刑事诉讼法 第113条: "accept" orders the police to file (after their explanation); "reject" finds
    # the non-filing sound.
    outcome = serializers.ChoiceField(
        choices=[
            ("accept", _("order the police to file the case (通知立案)")),
            ("reject", _("the reasons for not filing stand (不立案理由成立)")),
        ]
    )
    note = serializers.CharField(max_length=4000)


@example({"items": "伪造的操作证一本，现场照片三张"})
class HandOverInput(serializers.Serializer[Any]):
    items = serializers.CharField(max_length=4000)


# --- the web forms' own inputs: the same actions, with what a form must hold ------------------

# The package a web transmission must hold as files (310号令 第6条 (二)–(四)); the 移送书 is
# Xianjie's own letter, listing them.
WEB_REQUIRED_FILES = (
    ReferralDocument.Kind.INVESTIGATION_REPORT,
    ReferralDocument.Kind.EVIDENCE_LIST,
    ReferralDocument.Kind.INSPECTION_REPORT,
)


class WebPackageFileInput(serializers.Serializer[Any]):
    """One file of the package on the web form: a file of the case ticked, or a file uploaded."""

    kind = serializers.ChoiceField(choices=ReferralDocument.Kind.choices)
    evidence = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    upload = serializers.FileField(required=False)


class TransmitForm(serializers.Serializer[Any]):
    files = WebPackageFileInput(many=True, max_length=200, required=False)  # type: ignore[call-arg]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kinds = {f["kind"] for f in attrs.get("files", []) if f.get("evidence") or f.get("upload")}
        missing = {
            f"package_{kind}": [
                _("Missing: %(document)s. Tick a file of the case or upload one.")
                % {"document": ReferralDocument.Kind(kind).label}
            ]
            for kind in WEB_REQUIRED_FILES
            if kind not in kinds
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class AcceptForm(AcceptInput):
    """立案 on the web: the date, the charge and the 立案决定书 are required."""

    filed_on = serializers.DateField()
    charge = serializers.CharField(max_length=200)
    filing_decision = serializers.FileField()


class FileOutput(serializers.Serializer[Any]):
    """A file kept among the case's files: GET /api/v1/evidence/{id}/ reads it."""

    evidence = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


def _file_of(document: ReferralDocument) -> Any:
    try:
        return document.file.evidence
    except ReferralFile.DoesNotExist:
        return None


class DocumentOutput(serializers.ModelSerializer[ReferralDocument]):
    file = serializers.SerializerMethodField()

    class Meta:
        model = ReferralDocument
        fields = ["id", "kind", "title", "added_at", "file"]

    @extend_schema_field(FileOutput(allow_null=True))
    def get_file(self, document: ReferralDocument) -> Any:
        evidence = _file_of(document)
        return FileOutput(evidence).data if evidence else None


class DeadlineOutput(serializers.Serializer[Any]):
    step = serializers.CharField()
    title = serializers.CharField(source="label")
    basis = serializers.CharField()
    starts_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    bars = serializers.SerializerMethodField()
    escalates = serializers.SerializerMethodField()
    met_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)

    def get_bars(self, deadline: Deadline) -> str | None:
        """The action this period bars once it has run out, if any."""
        return STEPS[deadline.step].bars_action

    def get_escalates(self, deadline: Deadline) -> bool:
        return bool(STEPS[deadline.step].escalate_to)


class ReferralOutput(serializers.ModelSerializer[Referral]):
    case = serializers.IntegerField(source="case_id")
    case_number = serializers.CharField(source="case.number")
    referring_agency = serializers.CharField(source="referring_agency.slug")
    police_agency = serializers.CharField(source="police_agency.slug")
    procuratorate: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    forwarded_from: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    received_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
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
            "kind",
            "kind_reason",
            "status",
            "referring_agency",
            "police_agency",
            "forwarded_from",
            "procuratorate",
            "persons",
            "includes_party",
            "report",
            "reason",
            "police_case_number",
            "documents",
            "transmitted_at",
            "received_at",
            "received_by",
            "supplement_request",
            "supplement_note",
            "competent_body",
            "rejection_reason",
            "explanation",
            "outcome",
            "due_at",
            "due_step",
            "overdue",
            "created_at",
            "updated_at",
        ]

    def get_persons(self, referral: Referral) -> list[int]:
        return [p.pk for p in referral.persons.all()]

    def _next_deadline(self, referral: Referral) -> Deadline | None:
        # The duty that escalates first (or, when none is open, the first time bar): steps.next_due.
        return next_due(referral.deadlines.all())

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, referral: Referral) -> str | None:
        d = self._next_deadline(referral)
        return serializers.DateTimeField().to_representation(d.due_at) if d else None

    def get_due_step(self, referral: Referral) -> str | None:
        d = self._next_deadline(referral)
        return d.step if d else None

    def get_overdue(self, referral: Referral) -> bool:
        d = self._next_deadline(referral)
        return bool(d and d.due_at <= self.context["now"])


class OffenceOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    article = serializers.CharField()


class SubjectOutput(serializers.Serializer[Any]):
    """A referred person as the 移送书 names them: the ID number in full for those entitled to it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    id_kind = serializers.CharField()
    id_number = serializers.CharField()
    role = serializers.CharField()
    offences = OffenceOutput(many=True)


class DecisionOutput(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=[("approve", _("approved")), ("refuse", _("refused"))])
    opinion = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class FilingOutput(serializers.Serializer[Any]):
    filed_on = serializers.DateField()
    charge = serializers.CharField()
    police_case_number = serializers.CharField()
    decision_file = FileOutput(allow_null=True)


class ReferralDetailOutput(ReferralOutput):
    actions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    subjects = serializers.SerializerMethodField()
    supervision_outcome = serializers.CharField()
    supervision_note = serializers.CharField()
    reconsideration_reason = serializers.CharField()
    decision = serializers.SerializerMethodField()
    filing = serializers.SerializerMethodField()

    class Meta(ReferralOutput.Meta):
        fields = ReferralOutput.Meta.fields + [
            "subjects",
            "actions",
            "history",
            "deadlines",
            "supervision_outcome",
            "supervision_note",
            "reconsideration_reason",
            "decision",
            "filing",
        ]

    @extend_schema_field(DecisionOutput(allow_null=True))
    def get_decision(self, referral: Referral) -> Any:
        """The head's decision on the proposal, with the opinion (审批意见) as written."""
        record = referrals.record_of(referral)
        if record is None or record.opinion_at is None:
            return None
        return DecisionOutput(
            {
                "action": record.decision,
                "opinion": record.opinion,
                "by": record.opinion_by.username if record.opinion_by else None,
                "at": record.opinion_at,
            }
        ).data

    @extend_schema_field(FilingOutput(allow_null=True))
    def get_filing(self, referral: Referral) -> Any:
        """立案: its date, the charge, the number and the 立案决定书."""
        record = referrals.record_of(referral)
        if record is None or record.filed_on is None:
            return None
        return FilingOutput(
            {
                "filed_on": record.filed_on,
                "charge": record.charge,
                "police_case_number": referral.police_case_number,
                "decision_file": record.filing_decision,
            }
        ).data

    @extend_schema_field(SubjectOutput(many=True))
    def get_subjects(self, referral: Referral) -> Any:
        shown: Identities = self.context["shown"]
        return SubjectOutput(
            [
                {
                    "id": p.pk,
                    "name": p.name,
                    "id_kind": p.id_kind,
                    "id_number": shown.of(p),
                    "role": p.role,
                    "offences": documents.offences_of(referral, p),
                }
                for p in referral.persons.all()
            ],
            many=True,
        ).data

    @extend_schema_field(DeadlineOutput(many=True))
    def get_deadlines(self, referral: Referral) -> Any:
        """Every period of the referral, open and past, with its legal source."""
        return DeadlineOutput(sorted(referral.deadlines.all(), key=lambda d: (d.starts_at, d.pk)), many=True).data

    def get_actions(self, referral: Referral) -> list[str]:
        return referrals.available_referral_actions(referral, self.context["request"].user)

    @extend_schema_field(EventOutput(many=True))
    def get_history(self, referral: Referral) -> Any:
        events = Event.objects.filter(referral=referral).select_related("actor", "agency").order_by("seq")
        return EventOutput(events, many=True).data


def _referral_rows(user: AnyUser, *, visible_only: bool = True) -> QuerySet[Referral]:
    base = referrals_visible_to(user) if visible_only else Referral.objects.all()
    return base.select_related(
        "case__region",
        "case__agency",
        "referring_agency",
        "police_agency",
        "procuratorate",
        "forwarded_from",
        "received_by",
        "record__opinion_by",
        "record__filing_decision",
    )


def _documents() -> "Prefetch[Any]":
    return Prefetch("documents", queryset=ReferralDocument.objects.select_related("file__evidence"))


def _lists() -> "tuple[str | Prefetch[Any], ...]":
    """What a referral's page lists beside its documents."""
    return (
        "persons",
        "case__handlers",
        "case__findings",
        Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")),
    )


def referral_queryset(user: AnyUser, *, visible_only: bool = True) -> QuerySet[Referral]:
    return _referral_rows(user, visible_only=visible_only).prefetch_related(_documents(), *_lists())


class ReferralQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)


@extend_schema(parameters=[ReferralQuery])
class ReferralList(generics.ListAPIView[Referral]):
    serializer_class = ReferralOutput
    pagination_class = pagination.by("-created_at", "-id")

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"now": timezone.now()}

    def get_queryset(self) -> QuerySet[Referral]:
        qs = referral_queryset(self.request.user)
        if getattr(self, "swagger_fake_view", False):
            return qs
        query = params.query(ReferralQuery, self.request)
        if query.get("status"):
            qs = qs.filter(status=query["status"])
        return qs


def referral_detail(user: AnyUser, pk: int, *, visible_only: bool = True) -> Referral:
    """The referral with everything its page shows; its documents are loaded only when it has any
    (answered in the referral's own query: none before it is transmitted)."""
    referral = (
        _referral_rows(user, visible_only=visible_only)
        .prefetch_related(*_lists())
        .annotate(has_documents=Exists(ReferralDocument.objects.filter(referral=OuterRef("pk"))))
        .get(pk=pk)
    )
    if referral.has_documents:
        prefetch_related_objects([referral], _documents())
    else:
        prefetched(referral, "documents", evaluated(ReferralDocument.objects.filter(referral=referral), []))
    return referral


def referral_response(request: AuthenticatedRequest, pk: int, *, visible_only: bool = True) -> Response:
    referral = referral_detail(request.user, pk, visible_only=visible_only)
    shown = identities_shown(request.user, referral.case)
    context = {"request": request, "now": timezone.now(), "shown": shown}
    data = ReferralDetailOutput(referral, context=context).data
    full = sum(1 for subject in data["subjects"] if "*" not in subject["id_number"])
    IdNumberView.record(request.user, referral.case, IdNumberView.Via.API, full)
    return Response(data)


class ReferralDetail(APIView):
    @extend_schema(responses=ReferralDetailOutput)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return referral_response(request, get_referral_for(request.user, pk).pk)


class ReferralAction(generics.GenericAPIView[Referral]):
    action_name = ""
    serializer_class = Empty

    def get_parsers(self) -> list[Any]:
        """JSON; and multipart/form-data for an action that takes a file (the 立案决定书)."""
        takes_file = any(isinstance(f, serializers.FileField) for f in self.serializer_class().fields.values())
        return [*super().get_parsers(), MultiPartParser()] if takes_file else super().get_parsers()

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
    """A paper of the referral (documents.PAPERS: the 移送书, its 回执, the police's notices), for
    those who see the referral; ID numbers in full for those entitled to them, each rendering recorded."""

    document = "letter"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(409)})
    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        referral = referral_queryset(request.user).get(pk=get_referral_for(request.user, pk).pk)
        paper = documents.PAPERS[self.document]
        if not paper.exists(referral):
            raise Conflict(Code.INVALID_TRANSITION, str(paper.missing))
        shown = identities_shown(request.user, referral.case, signing=True) if paper.names_subjects else Identities()
        with translation.override(settings.LANGUAGE_CODE):  # an official paper is in Chinese, whoever prints it
            body = paper.render(referral, shown)
        if paper.names_subjects:
            numbers = [shown.of(p) for p in referral.persons.all()]
            if referral.includes_party and referral.case.party_id_number:
                numbers.append(shown.of_party(referral.case))
            IdNumberView.record(
                request.user, referral.case, IdNumberView.Via.PDF, sum(1 for n in numbers if n and "*" not in n)
            )
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{referral.number}-{self.document}.pdf"'
        return response


class PenaltyPdf(APIView):
    """A paper of a case's penalty procedure (penalty_papers.PENALTY_PAPERS: the 事先告知书, the
    听证通知书, the 决定书 and their 送达回证), for those who see the case; the decision names the
    party by its identity number in full only for those entitled to it, each rendering recorded."""

    document = "notice"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(409)})
    def get(self, request: AuthenticatedRequest, pk: int, penalty: int) -> HttpResponse:
        case = get_case_for(request.user, pk)
        record = (
            Penalty.objects.filter(case=case, pk=penalty)
            .select_related("case__agency__region", "legal_basis", "person", "hearing_officer", "suspension_order")
            .first()
        )
        # The police and the procuratorate see the penalties of the persons sent to them only.
        if record is None or not identities_shown(request.user, case).sees(record.person_id):
            raise NotFound(_("No such penalty in this case."))
        paper = PENALTY_PAPERS[self.document]
        if self.document not in record.papers:
            raise Conflict(Code.INVALID_TRANSITION, str(_("This paper has not been issued yet.")))
        shown = identities_shown(request.user, case, signing=True) if paper.names_party else Identities()
        with translation.override(settings.LANGUAGE_CODE):  # an official paper is in Chinese, whoever prints it
            body = paper.render(record, shown)
        if paper.names_party:
            number = shown.of(record.person) if record.person else shown.of_party(case)
            IdNumberView.record(request.user, case, IdNumberView.Via.PDF, int(bool(number) and "*" not in number))
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{case.number}-penalty{record.pk}-{self.document}.pdf"'
        return response

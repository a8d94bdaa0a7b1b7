from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies import jurisdiction
from agencies.api import RegionCodeField
from agencies.models import Agency
from core.access import AnyUser
from core.api.fields import CreditCodeField, IdNumberField
from core.api.schema import example
from core.identity import DocumentKind, normalize_document

from .. import actions, corrections
from ..access import Identities, identities_shown, referrals_visible_to
from ..kinds import FindingKind, PartyKind, PersonRole, Source
from ..models import Campaign, Case, CaseLink, Correction, Event, Fine, Person, Referral, ServiceMethod

# --- input ----------------------------------------------------------------------------------


class PartyInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    name = serializers.CharField(max_length=200)
    credit_code = CreditCodeField(required=False)
    id_number = IdNumberField(required=False)
    url = serializers.URLField(max_length=500, required=False)
    # Where papers are served, and an organisation's legal representative (行政处罚法 第59条).
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    representative = serializers.CharField(max_length=100, required=False, allow_blank=True)


@example(
    {
        "source": "inspection",
        "region": "440100",
        "party": {"kind": "employer", "name": "广州市某建筑工程有限公司", "credit_code": "91440100N4HYCR7L21"},
        "summary": "特种作业人员持证情况专项检查",
    }
)
class CaseCreateInput(serializers.Serializer[Any]):
    # The stubs take a declared field named `source` for Field.source (DRF moves it into the fields).
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    region = RegionCodeField()
    party = PartyInput()
    summary = serializers.CharField(max_length=4000)
    campaign = serializers.SlugRelatedField(slug_field="slug", queryset=Campaign.objects.all(), required=False)


class ActionInput(serializers.Serializer[Any]):
    """Every action body may carry the version the client last saw (409 `stale` if changed)."""

    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


_TEXT: dict[str, Any] = {"max_length": 4000}


@example({"handlers": ["guangzhou.officer1", "guangzhou.officer2"]})
class OpenInput(ActionInput):
    handlers = serializers.ListField(child=serializers.CharField(max_length=150), min_length=2, max_length=2)


@example({"reason": "经核查，线索不实"})
class ReasonInput(ActionInput):
    reason = serializers.CharField(**_TEXT)


@example({"handlers": ["guangzhou.officer2", "guangzhou.head"], "reason": "原承办人公出，改由他人承办"})
class ReassignInput(ActionInput):
    """转办: the new handlers (as `open` names them: two officers of the owning agency) and why."""

    handlers = serializers.ListField(child=serializers.CharField(max_length=150), min_length=2, max_length=2)
    reason = serializers.CharField(**_TEXT)


@example({"text": "当事人称假证系从网上中介购得，已调取聊天记录"})
class CaseNoteInput(serializers.Serializer[Any]):
    """An internal note (内部备注): append-only, seen by the owning agency and the supervisors only."""

    text = serializers.CharField(**_TEXT)


@example({"name": "张伟", "id_number": "440100198503120172", "role": "holder"})
class AddPersonInput(ActionInput):
    name = serializers.CharField(max_length=100)
    id_kind = serializers.ChoiceField(choices=DocumentKind.choices, default=DocumentKind.RESIDENT_ID)
    # The resident ID number by default; with id_kind, the number of that document.
    id_number = serializers.CharField(max_length=64)
    role = serializers.ChoiceField(choices=PersonRole.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["id_number"] = normalize_document(attrs["id_kind"], attrs["id_number"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"id_number": exc.messages}) from None
        return attrs


@example({"kind": "forged_certificate", "certificate_number": "T440100198503120172", "note": "现场查验操作证系伪造"})
class RecordFindingInput(ActionInput):
    kind = serializers.ChoiceField(choices=FindingKind.choices)
    person = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    certificate_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    # 倒查: who sold, supplied or renewed the certificate, as found.
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)  # type: ignore[assignment]


@example({"deadline": "2030-06-30", "items": "无证人员立即停止特种作业，组织培训取证"})
class OrderRectificationInput(ActionInput):
    deadline = serializers.DateField()
    items = serializers.CharField(**_TEXT)


@example({"order": 1, "passed": True, "note": "复查合格"})
class VerifyRectificationInput(ActionInput):
    order = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, **_TEXT)


_ID: dict[str, Any] = {"min_value": 1, "max_value": 2**63 - 1}


@example({"reason": "特种作业人员无证上岗，逾期未改正", "starts_on": "2018-09-01"})
class SuspendProductionInput(ActionInput):
    reason = serializers.CharField(**_TEXT)
    starts_on = serializers.DateField()
    # 安全生产法 第97条 orders the suspension with its fine (并处): the amount goes with it.
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    legal_basis = serializers.CharField(max_length=40, required=False, allow_blank=True)
    finding = serializers.IntegerField(required=False, allow_null=True, **_ID)
    violation_date = serializers.DateField(required=False)


PENALTY_KINDS = [("warning", "警告"), ("fine", "罚款"), ("suspension", "责令停产停业整顿")]


@example(
    {
        "kinds": ["warning", "fine"],
        "amount": "20000.00",
        "legal_basis": "TZZY-40",
        "finding": 1,
        "facts": "该单位使用持伪造特种作业操作证的人员从事电工作业",
    }
)
class ProposePenaltyInput(ActionInput):
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=PENALTY_KINDS), max_length=3)
    facts = serializers.CharField(**_TEXT)
    legal_basis = serializers.CharField(max_length=40, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    person = serializers.IntegerField(required=False, allow_null=True, **_ID)
    finding = serializers.IntegerField(required=False, allow_null=True, **_ID)
    violation_date = serializers.DateField()
    starts_on = serializers.DateField(required=False, allow_null=True)


@example({"penalty": 1, "approve": True, "note": "同意按此意见事先告知"})
class ApprovePenaltyInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, **_TEXT)


@example({"penalty": 1, "served_on": "2018-09-10", "method": "in_person"})
class NotifyPenaltyInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    served_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ServiceMethod.choices)
    # 电子送达 only with the party's consent (行政处罚法 第61条第二款).
    consent = serializers.BooleanField(required=False, default=False)
    # How it was served; for 公告送达, the attempts that failed first (民事诉讼法 第95条).
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


@example({"penalty": 1, "text": "当事人称不知证书系伪造，请求从轻处罚", "stated_on": "2018-09-11"})
class RecordStatementInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    text = serializers.CharField(**_TEXT)
    stated_on = serializers.DateField(required=False)
    waives = serializers.BooleanField(required=False, default=False)
    waives_hearing = serializers.BooleanField(required=False, default=False)


@example({"penalty": 1, "requested_on": "2018-09-12"})
class RequestHearingInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    requested_on = serializers.DateField(required=False)


@example({"penalty": 1, "at": "2018-09-28T09:30:00+08:00", "place": "本局三楼听证室", "officer": "guangzhou.officer3"})
class ScheduleHearingInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    officer = serializers.CharField(max_length=150)
    notified_on = serializers.DateField(required=False)
    public = serializers.BooleanField(required=False, default=True)
    # 第64条第三项: 国家秘密, 商业秘密, 个人隐私 — the only reasons not to hold it in public.
    private_reason = serializers.ChoiceField(
        choices=[("state_secret", "国家秘密"), ("business_secret", "商业秘密"), ("privacy", "个人隐私")],
        required=False,
        allow_blank=True,
    )


@example({"penalty": 1, "record": "当事人到场陈述申辩，承办人员出示证据……"})
class RecordHearingInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    record = serializers.CharField(**_TEXT)


@example({"penalty": 1, "opinion": "事实清楚，证据确凿，程序合法，适用依据正确，同意"})
class ReviewPenaltyInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    opinion = serializers.CharField(**_TEXT)


@example({"penalty": 1, "note": "经听证，维持告知意见"})
class DecidePenaltyInput(ActionInput):
    penalty = serializers.IntegerField(**_ID)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    decision_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    mitigation = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    collective_discussion = serializers.CharField(required=False, allow_blank=True, **_TEXT)


@example({"suspension": 1, "note": "整改完毕，恢复生产"})
class LiftSuspensionInput(ActionInput):
    suspension = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(required=False, allow_blank=True, **_TEXT)


@example({"amount": "20000.00", "legal_basis": "AQSCF-97-7"})
class ImposeFineInput(ActionInput):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    legal_basis = serializers.CharField(max_length=40)
    person = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    # The finding of the act fined (一事不再罚款, 行政处罚法 第29条).
    finding = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    decision_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    violation_date = serializers.DateField(required=False)
    facts = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    # With a provision that orders the suspension too (逾期未改正): from when.
    starts_on = serializers.DateField(required=False, allow_null=True)


@example({"case_number": "440600-2018-00007", "relation": "supplied", "note": "持证人供述证书系向该中介购买"})
class LinkCaseInput(ActionInput):
    case_number = serializers.CharField(max_length=20)
    relation = serializers.ChoiceField(choices=CaseLink.Relation.choices)
    note = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    certificate_number = serializers.CharField(max_length=40, required=False, allow_blank=True)


@example({"target": "person", "id": 1, "field": "id_number", "value": "440100198503120172", "reason": "录入时错号"})
class CorrectInput(ActionInput):
    target = serializers.ChoiceField(choices=Correction.Target.choices)
    id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    field = serializers.CharField(max_length=40)
    value = serializers.CharField(max_length=4000)
    reason = serializers.CharField(max_length=4000)


@example({"correction": 1, "approve": True, "note": "核对身份证原件无误"})
class ApproveCorrectionInput(ActionInput):
    correction = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


@example({"fine": 1, "amount": "20000.00"})
class RecordPaymentInput(ActionInput):
    fine = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    # The day the money was paid (the late penalty runs to it), if not today.
    paid_on = serializers.DateField(required=False)


@example({"penalty": 1, "served_on": "2018-09-16", "method": "in_person"})
class ServeDecisionInput(ActionInput):
    # The penalty whose decision was served, or the fine it imposed (the original contract).
    penalty = serializers.IntegerField(required=False, allow_null=True, **_ID)
    fine = serializers.IntegerField(required=False, allow_null=True, **_ID)
    served_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ServiceMethod.choices)
    consent = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


@example({"fine": 1, "served_on": "2018-10-20"})
class IssueDemandInput(ActionInput):
    fine = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    served_on = serializers.DateField()


@example({"fine": 1})
class FineRefInput(ActionInput):
    fine = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


@example({"url": "https://fake-cert.example.com/", "agency": "guangzhou-cyber"})
class RequestTakedownInput(ActionInput):
    url = serializers.URLField(max_length=500)
    agency = serializers.SlugField(max_length=60)


@example({"summary": "整改完毕，罚款已缴纳，结案。"})
@example({"until": "2026-08-31", "reason": "案情复杂，需进一步调查取证"})
class ExtendDecisionInput(ActionInput):
    until = serializers.DateField()
    reason = serializers.CharField(**_TEXT)


class CloseInput(ActionInput):
    summary = serializers.CharField(**_TEXT)


@example({"note": "已封堵"})
class TakedownBlockInput(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, **_TEXT)


@example({"reason": "该网站不在本辖区"})
class TakedownRefuseInput(serializers.Serializer[Any]):
    reason = serializers.CharField(**_TEXT)


# --- output ---------------------------------------------------------------------------------


class PersonOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.SerializerMethodField()
    id_kind = serializers.CharField()
    role = serializers.CharField()

    def get_id_number(self, person: Person) -> str:
        shown: Identities = self.context.get("shown", Identities())
        return shown.of(person)


class FindingOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    person = serializers.IntegerField(source="person_id", allow_null=True)
    certificate_number = serializers.SerializerMethodField(
        help_text="masked as the holder's ID number (T440***********1235) for whoever sees that number masked"
    )
    note = serializers.SerializerMethodField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.source
    referable = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()

    # A certificate number is a letter and the holder's ID number (issue 17 §3): shown as that number is.
    def get_certificate_number(self, finding: Any) -> str:
        shown: Identities = self.context.get("shown", Identities())
        return shown.certificate(finding.certificate_number, finding.person_id)

    def get_note(self, finding: Any) -> str:
        shown: Identities = self.context.get("shown", Identities())
        return shown.certificate(finding.note, finding.person_id)


class RectificationOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    deadline = serializers.DateField()
    items = serializers.CharField()
    status = serializers.CharField()
    issued_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    verification_note = serializers.CharField()


class SuspensionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    starts_on = serializers.DateField()
    status = serializers.CharField()
    lifted_at = serializers.DateTimeField(allow_null=True)


class FineOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    legal_basis = serializers.CharField(source="legal_basis.code")
    person = serializers.IntegerField(source="person_id", allow_null=True)
    finding = serializers.IntegerField(source="finding_id", allow_null=True)
    warning = serializers.BooleanField()
    violation_date = serializers.DateField(allow_null=True)
    basis_title = serializers.CharField(source="legal_basis.title")
    decision_number = serializers.CharField()
    status = serializers.CharField()
    decided_on = serializers.DateField()
    served_on = serializers.DateField(allow_null=True)
    service_method = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    demand_served_on = serializers.DateField(allow_null=True)
    enforcement_opens_on = serializers.DateField(allow_null=True)
    enforcement_closes_at = serializers.DateTimeField(allow_null=True)
    late_penalty = serializers.SerializerMethodField()
    amount_due = serializers.SerializerMethodField()
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_late_penalty(self, fine: Fine) -> str:
        return str(fine.late_penalty(self.context["today"])) if fine.status != "paid" else "0.00"

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_amount_due(self, fine: Fine) -> str:
        return str(fine.amount_due(self.context["today"])) if fine.status != "paid" else "0.00"


class StatementOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    stated_on = serializers.DateField()
    text = serializers.CharField()
    waives = serializers.BooleanField()
    waives_hearing = serializers.BooleanField()


class PenaltyOutput(serializers.Serializer[Any]):
    """A penalty on its way (行政处罚法 第44–64条): where it stands, its papers and its next due time."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    kinds = serializers.ListField(child=serializers.CharField())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    warning = serializers.BooleanField()
    suspension = serializers.BooleanField()
    suspension_starts_on = serializers.DateField(allow_null=True)
    legal_basis = serializers.SerializerMethodField()
    basis_title = serializers.SerializerMethodField()
    person = serializers.IntegerField(source="person_id", allow_null=True)
    finding = serializers.IntegerField(source="finding_id", allow_null=True)
    facts = serializers.CharField()
    violation_date = serializers.DateField()
    violation_date_stated = serializers.BooleanField()
    hearing_right = serializers.BooleanField()
    proposed_by = serializers.CharField(source="proposed_by.username", allow_null=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    approval_note = serializers.CharField()
    notice_number = serializers.CharField()
    notice_served_on = serializers.DateField(allow_null=True)
    hearing_requested_on = serializers.DateField(allow_null=True)
    hearing_notice_number = serializers.CharField()
    hearing_at = serializers.DateTimeField(allow_null=True)
    hearing_place = serializers.CharField()
    hearing_officer = serializers.CharField(source="hearing_officer.username", allow_null=True, default=None)
    hearing_public = serializers.BooleanField()
    reviewed_by = serializers.CharField(source="reviewed_by.username", allow_null=True, default=None)
    review_opinion = serializers.CharField()
    decision_number = serializers.CharField()
    mitigation = serializers.CharField()
    collective_discussion = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_served_on = serializers.DateField(allow_null=True)
    fine = serializers.IntegerField(source="fine_id", allow_null=True)
    suspension_order = serializers.IntegerField(source="suspension_order_id", allow_null=True)
    statements = StatementOutput(many=True)
    deadlines = serializers.SerializerMethodField()
    papers = serializers.ListField(child=serializers.CharField())

    def get_legal_basis(self, penalty: Any) -> str:
        return penalty.legal_basis.code if penalty.legal_basis else ""

    def get_basis_title(self, penalty: Any) -> str:
        return penalty.legal_basis.title if penalty.legal_basis else ""

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(child=serializers.CharField(allow_null=True)))
    )
    def get_deadlines(self, penalty: Any) -> list[dict[str, Any]]:
        return [
            {"step": d.step, "label": d.label, "basis": d.basis, "due_at": d.due_at.isoformat(), "met_by": d.met_by}
            for d in penalty.deadlines.all()
        ]


class CorrectionOutput(serializers.Serializer[Any]):
    """A correction proposed or decided: what, old → new (an ID number masked), why, where it stands."""

    id = serializers.IntegerField()
    target = serializers.CharField()
    record = serializers.IntegerField(source="object_id", allow_null=True)
    field = serializers.CharField()
    new = serializers.SerializerMethodField()
    reason = serializers.CharField()
    status = serializers.CharField()
    proposed_by = serializers.CharField(source="proposed_by.username")
    proposed_at = serializers.DateTimeField()

    def get_new(self, correction: Any) -> str:
        return corrections.proposed_value(correction)


class TakedownOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    url = serializers.CharField()
    agency = serializers.CharField(source="agency.slug")
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


class CaseReferralOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    police_agency = serializers.CharField(source="police_agency.slug")
    persons = serializers.SerializerMethodField()
    includes_party = serializers.BooleanField()

    def get_persons(self, referral: Referral) -> list[int]:
        return [p.pk for p in referral.persons.all()]


class PartyOutput(serializers.Serializer[Any]):
    kind = serializers.CharField(source="party_kind")
    name = serializers.CharField(source="party_name")
    credit_code = serializers.CharField(source="party_credit_code")
    id_number = serializers.SerializerMethodField()
    url = serializers.CharField(source="party_url")
    address = serializers.CharField(source="party_address")
    representative = serializers.CharField(source="party_representative")

    def get_id_number(self, case: Case) -> str:
        shown: Identities = self.context.get("shown", Identities())
        return shown.of_party(case)


class CaseListOutput(serializers.ModelSerializer[Case]):
    region = serializers.CharField(source="region_id")
    agency = serializers.CharField(source="agency.slug")
    party = PartyOutput(source="*")
    requires_referral = serializers.BooleanField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "source",
            "region",
            "agency",
            "party",
            "summary",
            "requires_referral",
            "version",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, case: Case) -> dict[str, Any]:
        data = super().to_representation(case)
        # A summary may quote a certificate number (a find reported by the police): masked as an ID
        # number unless the caller sees all of the case's numbers; in a list, masked for everyone.
        shown: Identities = self.context.get("shown", Identities())
        data["summary"] = shown.data(data["summary"])
        return data


class CaseDetailOutput(CaseListOutput):
    campaign: serializers.SlugRelatedField[Campaign] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    handlers = serializers.SerializerMethodField()
    persons = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    rectifications = RectificationOutput(many=True)
    suspensions = SuspensionOutput(many=True)
    fines = serializers.SerializerMethodField()
    penalties = serializers.SerializerMethodField()
    corrections = serializers.SerializerMethodField()
    takedowns = TakedownOutput(many=True)
    referrals = serializers.SerializerMethodField()
    unreferred_persons = serializers.SerializerMethodField()
    party_unreferred = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(CaseListOutput.Meta):
        fields = CaseListOutput.Meta.fields + [
            "campaign",
            "handlers",
            "persons",
            "findings",
            "rectifications",
            "suspensions",
            "fines",
            "penalties",
            "corrections",
            "takedowns",
            "referrals",
            "unreferred_persons",
            "party_unreferred",
            "actions",
        ]

    def to_representation(self, case: Case) -> dict[str, Any]:
        user = self.context["request"].user
        # ID numbers in full for the handling officers, and for the police and procuratorates of the
        # referrals sent to them (cases.access.identities_shown).
        self.context["shown"] = identities_shown(user, case)
        self.context["unreferred"] = actions.unreferred(case)
        # The referrals the caller sees: the police never see a proposal, or a referral sent elsewhere.
        self.context["referral_ids"] = _referrals_seen(user, case)
        return super().to_representation(case)

    @extend_schema_field(CaseReferralOutput(many=True))
    def get_referrals(self, case: Case) -> Any:
        visible = [r for r in case.referrals.all() if r.pk in self.context["referral_ids"]]
        return CaseReferralOutput(visible, many=True).data

    def get_handlers(self, case: Case) -> list[str]:
        return sorted(u.username for u in case.handlers.all())

    @extend_schema_field(PersonOutput(many=True))
    def get_persons(self, case: Case) -> Any:
        shown: Identities = self.context["shown"]
        persons = [p for p in case.persons.all() if shown.sees(p.pk)]
        return PersonOutput(persons, many=True, context=self.context).data

    @extend_schema_field(FindingOutput(many=True))
    def get_findings(self, case: Case) -> Any:
        shown: Identities = self.context["shown"]
        visible = [f for f in case.findings.all() if shown.sees(f.person_id)]
        return FindingOutput(visible, many=True, context=self.context).data

    # The police and the procuratorate see the measures of the persons sent to them only.
    @extend_schema_field(FineOutput(many=True))
    def get_fines(self, case: Case) -> Any:
        shown: Identities = self.context["shown"]
        return FineOutput(
            [f for f in case.fines.all() if shown.sees(f.person_id)], many=True, context=self.context
        ).data

    @extend_schema_field(PenaltyOutput(many=True))
    def get_penalties(self, case: Case) -> Any:
        shown: Identities = self.context["shown"]
        visible = [p for p in case.penalties.all() if shown.sees(p.person_id)]
        return PenaltyOutput(visible, many=True, context=self.context).data

    @extend_schema_field(CorrectionOutput(many=True))
    def get_corrections(self, case: Case) -> Any:
        """The corrections awaiting the head, for the agency's own people."""
        if not jurisdiction.is_staff_of(self.context["request"].user, case.agency_id):
            return []
        pending = [c for c in case.corrections.all() if c.status == "proposed"]
        return CorrectionOutput(pending, many=True).data

    def get_unreferred_persons(self, case: Case) -> list[int]:
        shown: Identities = self.context["shown"]
        return [pk for pk in self.context["unreferred"][0] if shown.sees(pk)]

    def get_party_unreferred(self, case: Case) -> bool:
        party: bool = self.context["unreferred"][1]
        return party

    def get_actions(self, case: Case) -> list[str]:
        return actions.available_actions(case, self.context["request"].user)


def _referrals_seen(user: AnyUser, case: Case) -> set[int]:
    """The ids of the case's referrals the user sees (cases.access.referrals_visible_to). The
    referring agency's people and the supervisors of the case's region see every referral of it,
    settled by their memberships; anyone else (the police, a procuratorate) by the query."""
    referrals = case.referrals.all()
    agencies = jurisdiction.agency_ids_of(user)
    if jurisdiction.supervises(user, case.region) or all(r.referring_agency_id in agencies for r in referrals):
        return {r.pk for r in referrals}
    return set(referrals_visible_to(user).filter(case=case).values_list("pk", flat=True))


class EventOutput(serializers.ModelSerializer[Event]):
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Event
        fields = ["seq", "action", "actor", "agency", "at", "from_status", "to_status", "data", "referral", "hash"]

    def to_representation(self, event: Event) -> dict[str, Any]:
        """The data as the caller may read it: certificate numbers (and any ID number) masked unless
        the caller sees the ID number of the person the event is about in full (issue 17 §3)."""
        data = super().to_representation(event)
        shown: Identities = self.context.get("shown", Identities())
        data["data"] = shown.data(data["data"])
        return data


class CaseNoteOutput(serializers.Serializer[Any]):
    """An internal note as the caller may read it: ID numbers in its text masked unless the caller
    sees all of the case's ID numbers (issue 17 §3)."""

    id = serializers.IntegerField()
    text = serializers.SerializerMethodField()
    author = serializers.CharField(source="author.username")
    author_name = serializers.SerializerMethodField()
    agency = serializers.SerializerMethodField()
    written_at = serializers.DateTimeField()
    event = serializers.IntegerField(source="event.seq", help_text="the note's event in the case's chain (seq)")

    def get_text(self, note: Any) -> str:
        shown: Identities = self.context.get("shown", Identities())
        text: str = shown.data(note.text)
        return text

    def get_author_name(self, note: Any) -> str:
        name: str = note.author.get_full_name() or note.author.username
        return name

    def get_agency(self, note: Any) -> str | None:
        return note.agency.slug if note.agency else None

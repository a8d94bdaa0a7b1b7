from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import jurisdiction
from agencies.api import RegionCodeField
from core.access import AnyUser, AuthenticatedRequest, evaluated, prefetched
from core.api import pagination
from core.api.schema import ErrorOutput, errors, example, results_of

from .. import actions, links, notes, queries
from ..access import (
    cases_visible_to,
    events_visible_to,
    get_case_for,
    get_takedown_for,
    identities_shown,
    takedowns_visible_to,
)
from ..kinds import FindingKind, PartyKind, Source
from ..models import (
    Case,
    CaseNote,
    Correction,
    Event,
    Finding,
    Fine,
    IdNumberView,
    Penalty,
    Person,
    Rectification,
    Referral,
    Suspension,
    Takedown,
)
from ..queries import CaseListParams, case_list_params, filter_cases
from ..rules import TAKEDOWN_ACTIONS, may_note
from . import serializers as s


def _detail_lists() -> "dict[str, str | Prefetch[Any]]":
    """The case page's lists, by the relation that holds them (persons, findings, measures …)."""
    return {
        "persons": "persons",
        "findings": "findings",
        "rectifications": "rectifications",
        "suspensions": "suspensions",
        "fines": Prefetch("fines", queryset=Fine.objects.select_related("legal_basis", "person", "finding")),
        "penalties": Prefetch(
            "penalties",
            queryset=Penalty.objects.select_related(
                "legal_basis", "person", "proposed_by", "approved_by", "hearing_officer", "reviewed_by"
            ).prefetch_related("statements", "deadlines"),
        ),
        "corrections": Prefetch("corrections", queryset=Correction.objects.select_related("proposed_by")),
        "takedowns": Prefetch("takedowns", queryset=Takedown.objects.select_related("agency")),
        "referrals": Prefetch(
            "referrals", queryset=Referral.objects.select_related("police_agency").prefetch_related("persons")
        ),
    }


# The model of each list, to ask in the case's own query whether the case has any row of it.
_LIST_MODELS: dict[str, Any] = {
    "persons": Person,
    "findings": Finding,
    "rectifications": Rectification,
    "suspensions": Suspension,
    "fines": Fine,
    "penalties": Penalty,
    "corrections": Correction,
    "takedowns": Takedown,
    "referrals": Referral,
}


def _case_rows(user: AnyUser, *, visible_only: bool = True) -> QuerySet[Case]:
    return (cases_visible_to(user) if visible_only else Case.objects.all()).select_related(
        "region", "agency", "campaign"
    )


def case_detail_queryset(user: AnyUser, *, visible_only: bool = True) -> QuerySet[Case]:
    """The case page's rows; `visible_only=False` once the request has found the case visible."""
    return _case_rows(user, visible_only=visible_only).prefetch_related("handlers", *_detail_lists().values())


def case_detail(user: AnyUser, case_id: int, *, visible_only: bool = True) -> Case:
    """The case with everything its page shows: one query for the case (which also answers which
    lists it has any row of), its handlers, and one per list it has — a case without measures
    costs no query for them."""
    has = {name: Exists(model.objects.filter(case=OuterRef("pk"))) for name, model in _LIST_MODELS.items()}
    case = (
        _case_rows(user, visible_only=visible_only)
        .prefetch_related("handlers")
        .annotate(**{f"has_{name}": exists for name, exists in has.items()})
        .get(pk=case_id)
    )
    wanted = []
    for name, lookup in _detail_lists().items():
        if getattr(case, f"has_{name}"):
            wanted.append(lookup)
        else:
            prefetched(case, name, evaluated(_LIST_MODELS[name].objects.filter(case=case), []))
    prefetch_related_objects([case], *wanted)
    return case


def case_response(
    request: AuthenticatedRequest, case_id: int, status_code: int = status.HTTP_200_OK, *, visible_only: bool = True
) -> Response:
    """The case as its page shows it. `visible_only=False` when the request has already found the
    case visible (an action on it, a case the caller just created): its visibility is not asked twice."""
    case = case_detail(request.user, case_id, visible_only=visible_only)
    context = {"request": request, "today": timezone.localdate()}
    data = s.CaseDetailOutput(case, context=context).data
    # The serializer masks every number with "*" unless the caller handles the case.
    served = [data["party"]["id_number"], *(p["id_number"] for p in data["persons"])]
    IdNumberView.record(request.user, case, IdNumberView.Via.API, sum(1 for n in served if n and "*" not in n))
    return Response(data, status=status_code)


# The filters are the list's (GET); creating a case (POST) takes none.
@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=["lead", "open", "closed", "declined"]),
            OpenApiParameter("region", OpenApiTypes.STR, description="Region code; its whole subtree is included."),
            OpenApiParameter("source", OpenApiTypes.STR, enum=Source.values),
            OpenApiParameter("party_kind", OpenApiTypes.STR, enum=PartyKind.values),
            OpenApiParameter("requires_referral", OpenApiTypes.BOOL),
            OpenApiParameter("overdue", OpenApiTypes.BOOL),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Number, party name, credit code or person name. An ID number (or another identity "
                "document) is refused with 400 here: search by it with POST /api/v1/cases/search/.",
            ),
        ],
    )
)
class CaseListCreate(generics.ListAPIView[Case]):
    serializer_class = s.CaseListOutput
    pagination_class = pagination.by("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Case]:
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        params = case_list_params(self.request.query_params)
        if queries.is_id_search(params.get("q")):
            # An ID number in the address stays in access logs and browser history (issue 17 §10).
            raise ValidationError({"q": [str(queries.GET_ID_SEARCH_REFUSED)]})
        return filter_cases(cases_visible_to(user).select_related("agency"), params, user)

    @extend_schema(request=s.CaseCreateInput, responses={201: s.CaseDetailOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = s.CaseCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = actions.create_case(actor=request.user, **data.validated_data)
        # A lead is its creator's agency's: theirs to see.
        return case_response(request, case.pk, status.HTTP_201_CREATED, visible_only=False)


@example({"q": "440106199001011235"})
class CaseSearchInput(CaseListParams):
    q = serializers.CharField(
        max_length=100,
        trim_whitespace=True,
        help_text="Number, party name, credit code, person name or ID number (or another identity document).",
    )


SEARCH_RESULTS = 100


class CaseSearch(APIView):
    """Search the case list by ID number (issue 17 §2, §10), in the body so that the number stays
    out of addresses and logs; the other filters of the case list may come with it. A search by ID
    number finds a case only where the caller sees that number in full (its handlers; the police and
    procuratorates the person was referred to), is recorded like a view of the number, and is
    limited per user and hour (ID_SEARCHES_PER_USER_HOUR → 429 with Retry-After). Any other text
    searches as `GET /api/v1/cases/?q=` does. The first 100 cases, newest first."""

    @extend_schema(
        request=CaseSearchInput,
        responses={
            200: results_of(s.CaseListOutput, "CaseSearchResults"),
            **errors(400),
            429: OpenApiResponse(
                ErrorOutput, "Too many searches by ID number this hour; Retry-After says when to retry."
            ),
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = CaseSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        id_search = queries.is_id_search(params["q"])
        if id_search:
            try:
                queries.allow_id_search(request.user)
            except queries.IdSearchThrottled as exc:
                raise Throttled(wait=exc.wait, detail=queries.id_search_message()) from None
        found = filter_cases(cases_visible_to(request.user).select_related("agency"), params, request.user)
        rows = list(found.order_by("-created_at", "-id")[:SEARCH_RESULTS])
        if id_search:
            queries.record_id_search(request.user, params["q"], rows, request.path)
        return Response(
            {"results": s.CaseListOutput(rows, many=True).data, "next": None, "previous": None},
        )


class CaseDetail(APIView):
    @extend_schema(responses=s.CaseDetailOutput)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        return case_response(request, case.pk, visible_only=False)


class CaseEvents(generics.ListAPIView[Event]):
    serializer_class = s.EventOutput
    pagination_class = pagination.by("seq", page_size=200, max_page_size=1000)

    def get_queryset(self) -> QuerySet[Event]:
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        case = get_case_for(self.request.user, self.kwargs["pk"])
        # Certificate numbers in the data masked as the holder's ID number is (issue 17 §3).
        self.shown = identities_shown(self.request.user, case)
        return events_visible_to(self.request.user, case).select_related("actor", "agency")

    def get_serializer_context(self) -> dict[str, Any]:
        shown = getattr(self, "shown", None)
        return super().get_serializer_context() | ({"shown": shown} if shown is not None else {})


class CaseAction(generics.GenericAPIView[Case]):
    """Run one case action (DESIGN §4); 200 with the case."""

    serializer_class = s.ActionInput
    run: Callable[..., Any] | None = None  # the action function, set per URL

    @extend_schema(responses=s.CaseDetailOutput)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        if self.run is None:
            raise ImproperlyConfigured("CaseAction.as_view() needs run=, the action function.")
        case = get_case_for(request.user, pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.run(case, actor=request.user, **data.validated_data)
        # Found visible above; a case action never takes the case from whoever may run it.
        return case_response(request, case.pk, visible_only=False)


class CaseNotes(generics.ListAPIView[CaseNote]):
    """内部备注: the case's internal notes, newest first, for its agency and its supervisors (403 for
    the police and the others who see the case through a referral); a handler or the head adds
    one (201). Notes are never changed: a correction is a new note."""

    serializer_class = s.CaseNoteOutput
    pagination_class = pagination.by("-written_at", "-id")

    def get_queryset(self) -> QuerySet[CaseNote]:
        if getattr(self, "swagger_fake_view", False):
            return CaseNote.objects.none()
        case = get_case_for(self.request.user, self.kwargs["pk"])
        self.shown = identities_shown(self.request.user, case)
        return notes.notes_of(self.request.user, case)

    def get_serializer_context(self) -> dict[str, Any]:
        shown = getattr(self, "shown", None)
        return super().get_serializer_context() | ({"shown": shown} if shown is not None else {})

    @extend_schema(request=s.CaseNoteInput, responses={201: s.CaseNoteOutput, **errors(400, 403, 404)})
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        if not may_note(request.user, case):
            raise PermissionDenied(str(notes.NOT_YOURS))
        data = s.CaseNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = notes.add_note(case, actor=request.user, **data.validated_data)
        context = {"shown": identities_shown(request.user, case)}
        return Response(s.CaseNoteOutput(note, context=context).data, status=status.HTTP_201_CREATED)


class UnknownAction(APIView):
    @extend_schema(exclude=True)
    def post(self, request: AuthenticatedRequest, pk: int, name: str) -> Response:
        raise NotFound(f"Unknown action {name[:40]!r}.")


class TakedownList(generics.ListAPIView[Takedown]):
    serializer_class = s.TakedownOutput

    pagination_class = pagination.by("-requested_at", "-id")

    def get_queryset(self) -> QuerySet[Takedown]:
        return takedowns_visible_to(self.request.user).select_related("agency")


class TakedownDetail(APIView):
    @extend_schema(responses=s.TakedownOutput)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(s.TakedownOutput(get_takedown_for(request.user, pk)).data)


class TakedownAction(generics.GenericAPIView[Takedown]):
    action_name = ""
    serializer_class = s.TakedownBlockInput

    @extend_schema(responses=s.TakedownOutput)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        takedown = get_takedown_for(request.user, pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The actions take different keywords (note, reason): the validated input supplies them.
        run = TAKEDOWN_ACTIONS[self.action_name].function
        takedown = run(takedown, actor=request.user, **data.validated_data)
        return Response(s.TakedownOutput(Takedown.objects.select_related("agency").get(pk=takedown.pk)).data)


class LinkedCase(serializers.Serializer[Any]):
    case = serializers.IntegerField(allow_null=True, help_text="null when the caller may not open the case")
    number = serializers.CharField()
    region = serializers.CharField()
    agency = serializers.CharField()
    party = serializers.CharField(help_text="empty when the caller may not open the case")
    status = serializers.CharField(help_text="empty when the caller may not open the case")
    visible = serializers.BooleanField(help_text="whether the caller may open the case; if not, ask the supervisors")


class LinkOutput(LinkedCase):
    id = serializers.IntegerField()
    relation = serializers.CharField()
    direction = serializers.ChoiceField(choices=["source", "holder"], help_text="what the other case is to this one")
    certificate_number = serializers.CharField()
    note = serializers.CharField()


class SuggestionOutput(LinkedCase):
    why = serializers.CharField()


class NetworkOutput(LinkedCase):
    distance = serializers.IntegerField(help_text="links away from this case")


class LinksOutput(serializers.Serializer[Any]):
    links = LinkOutput(many=True)
    suggestions = SuggestionOutput(many=True)
    elsewhere = serializers.IntegerField(
        help_text="cases linked, suggested or in the network that the caller may not open (ask the supervisors)"
    )
    network = NetworkOutput(many=True)


def _linked(case: Case, visible: bool) -> dict[str, Any]:
    """A case at the other end of a link: in full if the caller may open it, else by its number,
    city and agency only."""
    return {
        "case": case.pk if visible else None,
        "number": case.number,
        "region": case.region.name,
        "agency": case.agency.name,
        "party": case.party_name if visible else "",
        "status": case.get_status_display() if visible else "",
        "visible": visible,
    }


class CaseLinks(APIView):
    """倒查: the case's links to the cases of whoever sold, supplied or renewed a certificate, the
    links suggested by a shared certificate number or a named source, and the whole network. Cases
    of other cities the caller may not open are named by number, city and agency only."""

    @extend_schema(responses={200: LinksOutput, **errors(404)})
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        shown = identities_shown(request.user, case)
        suggested, _hidden = links.suggestions_for(case, request.user)
        rows = [
            _linked(one.other, one.visible)
            | {
                "id": one.link.pk,
                "relation": one.link.get_relation_display(),
                "direction": one.direction,
                # Whose certificate a link names is not recorded: in full to those who see all of
                # the case's ID numbers, masked as an ID number to everyone else (issue 17 §3).
                "certificate_number": shown.data(one.link.certificate_number),
                "note": one.link.note if one.visible else "",
            }
            for one in links.links_of(case, request.user)
        ]
        reached = links.network(case, request.user)
        hidden = {r["number"] for r in rows if not r["visible"]}
        hidden |= {s.case.number for s in suggested if not s.visible}
        hidden |= {other.number for other, _d, visible in reached if not visible}
        return Response(
            {
                "links": rows,
                "suggestions": [_linked(s.case, s.visible) | {"why": shown.data(s.why)} for s in suggested],
                "elsewhere": len(hidden),
                "network": [_linked(other, visible) | {"distance": d} for other, d, visible in reached],
            }
        )


@example(
    {
        "region": "440100",
        "party": {"kind": "website", "name": "假冒安监局证书查询网", "url": "http://fake-gdsafety.example/"},
        "summary": "网络巡查发现假冒政府网站兜售特种作业操作证",
        "finding_kind": "counterfeit_website",
    }
)
class ReportFindInput(serializers.Serializer[Any]):
    region = RegionCodeField()
    party = s.PartyInput()
    summary = serializers.CharField(max_length=4000)
    finding_kind = serializers.ChoiceField(choices=FindingKind.choices, required=False)
    certificate_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)  # type: ignore[assignment]


class ReportedFind(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    agency = serializers.CharField(source="agency.name", help_text="the competent regulator it went to")
    region = serializers.CharField(source="region.name")
    party = serializers.CharField(source="party_name")
    status = serializers.CharField(source="get_status_display", help_text="where the regulator has it")
    created_at = serializers.DateTimeField()


class ReportFind(APIView):
    """The police or the cyberspace office report what they found themselves (a fake website, a
    seller, a forged certificate): a lead of the competent regulator, which is told."""

    @extend_schema(responses={200: results_of(ReportedFind, "ReportedFindList"), **errors(403)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """The finds the caller's police or cyberspace office reported (the last 200), with where
        each stands; the case file itself stays with the regulator."""
        if not any(m.agency.kind in actions.FINDERS for m in jurisdiction.memberships_of(request.user)):
            raise PermissionDenied(_("Only the police and the cyberspace office report their finds here."))
        rows = ReportedFind(actions.finds_reported_by(request.user)[:200], many=True).data
        return Response({"results": rows, "next": None, "previous": None})

    @extend_schema(request=ReportFindInput, responses={201: ReportedFind, **errors(400, 403)})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ReportFindInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = actions.report_find(actor=request.user, **data.validated_data)
        return Response(ReportedFind(case).data, status=status.HTTP_201_CREATED)

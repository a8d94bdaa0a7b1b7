"""API for supervision listings (挂牌督办)."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import get_case_for, visible_cases_q
from cases.models import Case
from core.access import get_visible_or_404
from core.api import pagination
from core.api.schema import errors, example

from . import actions
from .models import Listing


class ListingOutput(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number")
    agency = serializers.CharField(source="agency.slug")
    listed_by = serializers.CharField(source="listed_by.username")
    reports = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "case",
            "case_number",
            "agency",
            "listed_by",
            "deadline",
            "instructions",
            "status",
            "closing_note",
            "created_at",
            "closed_at",
            "reports",
        ]

    def get_reports(self, listing) -> list[dict]:
        return [{"by": r.by.username, "at": r.at.isoformat(), "text": r.text} for r in listing.reports.all()]


@example({"case": 1, "deadline": "2030-06-30", "instructions": "限期查清并移送"})
class ListingInput(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    deadline = serializers.DateField()
    instructions = serializers.CharField(max_length=4000)


@example({"text": "已立案侦查"})
class ProgressInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


@example({"close": False, "note": "继续督办"})
class ReviewInput(serializers.Serializer):
    close = serializers.BooleanField()
    note = serializers.CharField(max_length=4000)


def listings_visible_to(user):
    if not getattr(user, "is_authenticated", False):
        return Listing.objects.none()
    return (
        Listing.objects.filter(Q(case__in=Case.objects.filter(visible_cases_q(user))))
        .select_related("case", "agency", "listed_by")
        .prefetch_related("reports__by")
    )


def get_listing_for(user, pk) -> Listing:
    return get_visible_or_404(listings_visible_to(user), pk)


class ListingList(generics.ListCreateAPIView):
    serializer_class = ListingOutput

    pagination_class = pagination.by("-created_at", "-id")

    def get_queryset(self):
        return listings_visible_to(self.request.user)

    @extend_schema(request=ListingInput, responses={201: ListingOutput, **errors(404, 409)})
    def post(self, request):
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = get_case_for(request.user, data.validated_data["case"])
        listing = actions.list_case(
            case,
            actor=request.user,
            deadline=data.validated_data["deadline"],
            instructions=data.validated_data["instructions"],
        )
        return Response(ListingOutput(get_listing_for(request.user, listing.pk)).data, status=status.HTTP_201_CREATED)


class ListingDetail(APIView):
    @extend_schema(responses=ListingOutput)
    def get(self, request, pk: int):
        return Response(ListingOutput(get_listing_for(request.user, pk)).data)


class ListingAction(generics.GenericAPIView):
    action_name = ""
    serializer_class = ProgressInput

    @extend_schema(responses=ListingOutput)
    def post(self, request, pk: int):
        listing = get_listing_for(request.user, pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Two actions with different keywords (text; close and note): the validated input supplies them.
        runs: dict[str, Callable[..., Any]] = {
            "report_progress": actions.report_progress,
            "review": actions.review_listing,
        }
        run = runs[self.action_name]
        run(listing, actor=request.user, **data.validated_data)
        return Response(ListingOutput(get_listing_for(request.user, pk)).data)

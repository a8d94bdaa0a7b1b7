from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api import pagination, params

from .jurisdiction import memberships_of
from .models import Agency, Region


class RegionCodeField(serializers.SlugRelatedField):
    """A region given by its six-digit division code, refused in the user's words (not DRF's "object
    with code=… does not exist")."""

    default_error_messages = {
        "does_not_exist": _("No region {value}: give a six-digit division code such as 440100."),
        "invalid": _("Give a six-digit division code such as 440100."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Region.objects.all())
        super().__init__(slug_field="code", **kwargs)


class RegionOutput(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "slug", "level", "parent"]


class AgencyOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")

    class Meta:
        model = Agency
        fields = ["id", "slug", "name", "kind", "region"]


class RegionList(generics.ListAPIView):
    serializer_class = RegionOutput
    pagination_class = pagination.by("code", page_size=200, max_page_size=1000)
    queryset = Region.objects.all()


class AgencyQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Agency.Kind.choices, required=False)
    region = RegionCodeField(required=False, help_text="a six-digit division code: the agencies of that region")


@extend_schema(parameters=[AgencyQuery])
class AgencyList(generics.ListAPIView):
    """Agencies, filterable by ?kind= and ?region= (the region's code)."""

    serializer_class = AgencyOutput
    pagination_class = pagination.by("id", page_size=200, max_page_size=1000)

    def get_queryset(self):
        qs = Agency.objects.all()
        if getattr(self, "swagger_fake_view", False):
            return qs
        query = params.query(AgencyQuery, self.request)
        if query.get("kind"):
            qs = qs.filter(kind=query["kind"])
        if query.get("region"):
            qs = qs.filter(region=query["region"])
        return qs


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    memberships = serializers.ListField(child=serializers.DictField())


class Me(generics.GenericAPIView):
    """Who the caller is: their agencies and roles (also the cheapest authenticated endpoint)."""

    serializer_class = MeOutput

    def get(self, request):
        members = [{"agency": m.agency.slug, "role": m.role} for m in memberships_of(request.user)]
        return Response(
            {"username": request.user.username, "name": request.user.get_full_name(), "memberships": members}
        )

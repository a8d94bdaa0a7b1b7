"""GET /api/v1/notifications/?unread=true, POST …/{id}/read/, POST …/read-all/, e-mail preferences."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import AuthenticatedRequest
from core.api import pagination, params
from core.api.schema import example

from . import preferences
from .announce import EMAIL_KINDS
from .models import Notification


class NotificationOutput(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "case", "referral", "created_at", "read_at", "read"]

    def get_read(self, n) -> bool:
        return n.read_at is not None


class NotificationQuery(serializers.Serializer):
    unread = params.QueryBoolean(help_text="true: only those not yet read")


@extend_schema(parameters=[NotificationQuery])
class NotificationList(generics.ListAPIView[Notification]):
    request: AuthenticatedRequest  # IsAuthenticated: the user is signed in
    serializer_class = NotificationOutput
    pagination_class = pagination.by("-id")

    def get_queryset(self):
        qs = Notification.objects.filter(recipient=self.request.user)
        if getattr(self, "swagger_fake_view", False):
            return qs
        if params.query(NotificationQuery, self.request)["unread"]:
            qs = qs.filter(read_at__isnull=True)
        return qs


class Unread(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkRead(APIView):
    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, pk: int):
        n = Notification.objects.filter(recipient=request.user, pk=pk).first()
        if n is None:
            raise NotFound
        if n.read_at is None:
            n.read_at = timezone.now()
            n.save(update_fields=["read_at"])
        return Response(NotificationOutput(n).data)


class MarkAllRead(APIView):
    @extend_schema(request=None, responses=Unread)
    def post(self, request):
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return Response({"unread": 0})


class PreferenceItem(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(EMAIL_KINDS))
    email = serializers.BooleanField()


@example({"preferences": [{"kind": "escalation", "email": False}]})
class PreferencesInput(serializers.Serializer):
    # many=True makes a ListSerializer, which takes max_length; the stubs check the child's arguments.
    preferences = PreferenceItem(many=True, max_length=len(EMAIL_KINDS) + 20)  # type: ignore[call-arg]


class Preferences(APIView):
    """Which kinds also come by e-mail (all, unless turned off)."""

    def _current(self, user) -> dict:
        chosen = preferences.current(user)
        return {"preferences": [{"kind": k, "email": chosen[k]} for k in sorted(chosen)]}

    @extend_schema(responses=PreferencesInput)
    def get(self, request):
        return Response(self._current(request.user))

    @extend_schema(request=PreferencesInput, responses=PreferencesInput)
    def put(self, request):
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        preferences.save(request.user, [(item["kind"], item["email"]) for item in data.validated_data["preferences"]])
        return Response(self._current(request.user))

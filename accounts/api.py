"""The API's door: the caller's token, obtained with the password (and the code) and revoked by DELETE."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken as KnoxToken
from rest_framework import generics, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.api import pagination
from core.errors import Refusal

from . import otp, tokens
from .lockout import lockout_json
from .models import TokenInfo


class TokenInput(AuthTokenSerializer):
    otp = serializers.RegexField(
        otp.CODE_PATTERN,
        required=False,
        write_only=True,
        help_text="The current 6-digit code of the authenticator app, or one of the account's backup codes; "
        "required for accounts with two-factor authentication.",
    )


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True, help_text="When the token stops working (TOKEN_TTL_HOURS).")


class TokenRefusal(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class TokenLockedOut(TokenRefusal):
    retry_after = serializers.DateTimeField()


class AuthToken(generics.GenericAPIView):
    """The caller's API token: obtained with the password (and the code, with two-factor), revoked by DELETE.

    Every POST issues a new token (one per program or device, hashed at rest, expiring after
    TOKEN_TTL_HOURS); GET /api/v1/auth/tokens/ lists them. DELETE revokes the token the request
    carries (with a session: all of the user's tokens)."""

    serializer_class = TokenInput

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Wrong username or password (non_field_errors), or a missing or wrong `otp` "
                "for an account with two-factor authentication (otp).",
            ),
            403: OpenApiResponse(
                TokenRefusal,
                description="code `otp_enrolment_required`: the user's role requires two-factor "
                "authentication and no device is enrolled yet (enrol on the web, then ask again).",
            ),
            429: OpenApiResponse(
                TokenLockedOut,
                description="code `locked_out`: too many failed logins for this username from this "
                "address; `retry_after` (also the Retry-After header, in seconds) says when to retry.",
            ),
        },
    )
    def post(self, request):
        serializer = TokenInput(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return lockout_json(request)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        second_factor = False
        if otp.devices(user).exists():
            code = serializer.validated_data.get("otp")
            if not code:
                raise ValidationError(
                    {"otp": [_("This account uses two-factor authentication: send the current code as otp.")]}
                )
            device, retry_at = otp.check_code(user, code.strip())
            if device is None:
                raise ValidationError({"otp": [otp.refusal(retry_at)]})
            second_factor = True
        elif otp.required(user):
            return Response(
                {
                    "detail": _(
                        "Your role requires two-factor authentication: enrol an authenticator app on the web first."
                    ),
                    "code": Refusal.OTP_ENROLMENT_REQUIRED,
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        instance, key = tokens.issue(
            user, second_factor=second_factor, user_agent=request.headers.get("User-Agent", "")
        )
        return Response({"token": key, "expiry": instance.expiry})

    @extend_schema(
        request=None,
        responses={204: None},
        description="Revokes the token the request carries; with a session, every token of the user. "
        "WebSockets opened with a revoked token are closed (code 4001).",
    )
    def delete(self, request):
        if isinstance(request.auth, KnoxToken):
            request.auth.delete()
        else:
            KnoxToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenItem(serializers.Serializer):
    id = serializers.IntegerField(source="info.pk")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    user_agent = serializers.CharField(source="info.user_agent", help_text="The program that asked for it.")
    second_factor = serializers.BooleanField(
        source="info.second_factor", help_text="Issued with the code of the second factor."
    )
    current = serializers.SerializerMethodField(help_text="The token this request carries.")

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, KnoxToken) and auth.pk == token.pk


def live_tokens(user):
    return (
        KnoxToken.objects.filter(user=user, info__isnull=False)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .select_related("info")
    )


class TokenList(generics.ListAPIView):
    """The caller's API tokens, one per login (program or device), newest first; never the keys."""

    serializer_class = TokenItem
    pagination_class = pagination.by("-created", "-digest")

    def get_queryset(self):
        return live_tokens(self.request.user)


class TokenDetail(generics.GenericAPIView):
    """Revoke one of the caller's tokens (a lost device); its WebSockets are closed (code 4001)."""

    serializer_class = TokenItem

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        info = get_object_or_404(TokenInfo, pk=pk, token__user=request.user)
        info.token.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

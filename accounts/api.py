"""The API's door: the caller's token, obtained with the password (and the code) and revoked by DELETE."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.errors import Refusal

from . import otp
from .lockout import lockout_json


class TokenInput(AuthTokenSerializer):
    otp = serializers.RegexField(
        r"^\s*\d{6}\s*$",
        required=False,
        write_only=True,
        help_text="The current 6-digit code of the authenticator app; required for accounts with two-factor authentication.",
    )


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class TokenRefusal(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class TokenLockedOut(TokenRefusal):
    retry_after = serializers.DateTimeField()


class AuthToken(generics.GenericAPIView):
    """The caller's API token: obtained with the password (and the code, with two-factor), revoked by DELETE."""

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
        if otp.devices(user).exists():
            code = serializer.validated_data.get("otp")
            if not code:
                raise ValidationError(
                    {"otp": [_("This account uses two-factor authentication: send the current code as otp.")]}
                )
            device, retry_at = otp.check_code(user, code.strip())
            if device is None:
                raise ValidationError({"otp": [otp.refusal(retry_at)]})
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

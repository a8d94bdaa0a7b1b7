"""The OpenAPI schema and the Swagger UI: open to anyone only when PUBLIC_API_DOCS is on (the
default with DEBUG, for local work and the in-process fuzzing); otherwise for logged-in users —
an anonymous caller gets 401, as on every API v1 endpoint. The setting is read at each request."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


class ApiDocsPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(settings.PUBLIC_API_DOCS or (request.user and request.user.is_authenticated))


class SchemaView(SpectacularAPIView):
    permission_classes = [ApiDocsPermission]


class SwaggerView(SpectacularSwaggerSplitView):
    permission_classes = [ApiDocsPermission]

"""/healthz: is this process able to serve? For the proxy's and the load balancer's probes.

Open to anyone and never redirected (no login, no HTTPS redirect: SECURE_REDIRECT_EXEMPT): it names
only what answered, never an address, a user or an error's text (those go to the log).
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)
# Seconds the broker has to accept a connection before the probe calls it unavailable.
BROKER_TIMEOUT = 2.0

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not configured"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("Health check: the database does not answer: %s", exc)
        return UNAVAILABLE
    return OK


def broker_status(timeout: float = BROKER_TIMEOUT) -> str:
    """ "ok" when the broker of CELERY_BROKER_URL accepts a connection within `timeout` seconds."""
    if not settings.CELERY_BROKER_URL:
        return NOT_CONFIGURED
    from config.celery import app  # noqa: PLC0415  # loaded with Django already (config/__init__.py)

    try:
        # One attempt, bounded in connecting and in reading the broker's first answer.
        with app.connection_for_read(
            settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as exc:
        logger.warning("Health check: the broker does not accept a connection: %s", exc)
        return UNAVAILABLE
    return OK


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = UNAVAILABLE not in checks.values()
    return JsonResponse({"status": OK if healthy else UNAVAILABLE, **checks}, status=200 if healthy else 503)

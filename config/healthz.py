"""GET /healthz: database and broker reachability as JSON (503 when degraded), for load
balancers and monitors; never secrets or addresses."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from kombu import Connection


@require_GET
def healthz(request):
    """Database and broker reachability as JSON; never secrets or addresses."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    if not settings.CELERY_BROKER_URL:
        checks["broker"] = "not configured: tasks run in-process"
    else:
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
                broker.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:
            checks["broker"] = "unreachable"
    healthy = checks["database"] == "ok" and checks["broker"] != "unreachable"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503
    )

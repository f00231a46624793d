"""System checks of this app's deployment settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

NO_TRUSTED_PROXY = "accounts.W001"


@register(Tags.security, deploy=True)
def trusted_proxy_check(app_configs, **kwargs) -> list[Warning]:
    """Warn when a server keys throttles on REMOTE_ADDR without saying whether a proxy is
    in front: behind one, every student would share the proxy's bucket."""
    if settings.DEBUG or settings.TRUSTED_PROXIES or settings.TRUSTED_PROXY_COUNT is not None:
        return []
    return [
        Warning(
            "No trusted proxy is configured: clients are told apart by REMOTE_ADDR alone. "
            "Behind a proxy that is the proxy's address, and every student shares one "
            "throttle bucket.",
            hint=(
                "Set TRUSTED_PROXIES to the proxies' addresses or networks (e.g. 127.0.0.1 "
                "for nginx on the same host), or TRUSTED_PROXY_COUNT to the number of proxies "
                "in front (0 when gunicorn faces clients directly)."
            ),
            id=NO_TRUSTED_PROXY,
        )
    ]

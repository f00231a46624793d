from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and schools"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deploy checks
            signals,  # noqa: F401 - kept roles follow membership and school changes
        )

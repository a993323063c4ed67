from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from accounts import (  # noqa: F401  (connect their signals)
            session_limits,  # starts the session clocks at login
            signals,  # revokes tokens on password change and deactivation
        )

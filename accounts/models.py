from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken, AuthTokenManager
from simple_history.models import HistoricalRecords

from eldercare.validators import PhoneField
from regions.scoping import ScopedQuerySet


class Role(models.TextChoices):
    BUREAU = "bureau", _("Civil affairs bureau")
    TOWNSHIP_STAFF = "township_staff", _("Township staff")
    VILLAGE_ASSISTANT = "village_assistant", _("Village elderly-care assistant")
    VOLUNTEER = "volunteer", _("Volunteer")
    FACILITY_OPERATOR = "facility_operator", _("Facility operator")


def has_role(user, roles) -> bool:
    """An active, logged-in user whose role is one of ``roles`` (administrators always are).
    The region scope says where; this says what the role may do there."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or getattr(user, "role", "") in roles)


# The level of region each role works at: a township clerk is bound to a township, and so on.
ROLE_LEVELS = {
    Role.BUREAU: {"district"},
    Role.TOWNSHIP_STAFF: {"township"},
    Role.VILLAGE_ASSISTANT: {"village"},
    Role.VOLUNTEER: {"village", "group"},
    Role.FACILITY_OPERATOR: {"township", "village", "district"},
}


class UserQuerySet(ScopedQuerySet):
    region_lookup = "region__code"


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in: bureau, township staff, assistant, volunteer or operator."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_(
            "The region whose records this user sees and changes (with everything below it)."
        ),
    )
    phone = PhoneField(_("phone"), blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        """A role works at a fixed level of the hierarchy (a township clerk at a township)."""
        super().clean()
        if not self.role:
            return
        if self.region_id is None:
            raise ValidationError({"region": _("A user with a role needs a region.")})
        allowed = ROLE_LEVELS[Role(self.role)]
        if self.region.level not in allowed:
            raise ValidationError(
                {
                    "region": _("A %(role)s works in a region of level %(levels)s, not %(level)s.")
                    % {
                        "role": Role(self.role).label,
                        "levels": " / ".join(sorted(allowed)),
                        "level": self.region.get_level_display(),
                    }
                }
            )

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class ApiTokenQuerySet(ScopedQuerySet):
    """API tokens are seen through their owner: the bureau (and administrators) see the tokens
    of the users in their region's subtree, everyone else only their own."""

    region_lookup = "user__region__code"
    subtree_roles = frozenset({Role.BUREAU})
    own_lookups = ("user",)
    own_roles = frozenset(Role)

    def current(self):
        """Tokens that still open the API (an expired token is refused, and deleted, when used)."""
        return self.filter(models.Q(expiry__isnull=True) | models.Q(expiry__gt=timezone.now()))


class ApiTokenManager(AuthTokenManager.from_queryset(ApiTokenQuerySet)):
    pass


class ApiToken(AuthToken):
    """django-rest-knox's token (a SHA-512 digest of the token, never the token itself), seen
    with the project's scoping rule. Revoked on logout, password change and deactivation
    (``accounts.signals``); listed and revoked at ``/api/v1/auth/tokens/``."""

    objects = ApiTokenManager()

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @property
    def public_id(self) -> str:
        """What the owner and the bureau see and name a token by: the start of its digest
        (64 bits), which reveals nothing of the token."""
        return self.digest[:16]

"""A user's API tokens end with the password they were obtained with, and with the account."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import ApiToken, User


@receiver(post_save, sender=User, dispatch_uid="accounts.revoke_tokens")
def revoke_tokens(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    """Every token of the user is deleted when the user is saved deactivated or with a new
    password (``set_password`` keeps the new one in ``_password`` until the save is done; a
    hash upgrade at login clears it first and keeps the tokens). A backup restore (raw) writes
    no tokens and changes nobody's password."""
    if created or raw:
        return
    if not instance.is_active or getattr(instance, "_password", None) is not None:
        ApiToken.objects.filter(user=instance).delete()

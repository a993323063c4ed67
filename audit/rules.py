"""Who reads the audit log of who saw whose personal data."""

from __future__ import annotations

from accounts.models import Role, has_role

# the audit log is the bureau's (in its subtree)
AUDIT_ROLES = frozenset({Role.BUREAU})


def can_read_audit(user) -> bool:
    return has_role(user, AUDIT_ROLES)

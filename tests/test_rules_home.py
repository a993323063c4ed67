"""Roles are decided in one place per app, and scoping is declared, never re-implemented.

Who may do what is a named predicate in the app's ``rules.py`` (on ``accounts.models.Role``);
every page, API permission, admin and service calls it. A literal role name or an inline role
check anywhere else would be a second copy of a rule that can silently disagree with the first,
so these tests read the source (its syntax tree, so a field or a related name called
"volunteer" does not count) and fail on one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

from accounts.models import Role
from regions.rules import OPERATOR_ROLES, OWN_ROWS_ROLES, SCOPED_ROLES
from regions.scoping import ScopedQuerySet

ROOT = Path(__file__).resolve().parent.parent
ROLE_VALUES = frozenset(Role.values)
SKIPPED_DIRS = {".venv", "node_modules", "migrations", "tests", ".git", "static", "locale"}
# where roles may be spelled: the app that defines them, each app's rules, and the table of
# the demo accounts (their usernames and roles)
ALLOWED = {"accounts", "demo/accounts.py"}


def _allowed(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return relative.parts[0] in ALLOWED or str(relative) in ALLOWED or relative.name == "rules.py"


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS.intersection(relative.parts[:-1]) or _allowed(path):
            continue
        yield path


def _is_role_value(node: ast.AST) -> bool:
    """A role spelled out: ``"bureau"`` or ``Role.BUREAU``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in ROLE_VALUES
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Role"
        and node.attr in Role.names
    )


def _elements(node: ast.AST, kinds=(ast.Set,)) -> list[ast.AST] | None:
    """The elements of a literal of ``kinds``, or of ``frozenset(...)``/``set(...)`` of one."""
    if isinstance(node, kinds):
        return node.elts
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("set", "frozenset")
        and node.args
    ):
        return _elements(node.args[0], (ast.Set, ast.List, ast.Tuple))
    return None


def _is_role_set(node: ast.AST, kinds=(ast.Set,)) -> bool:
    """A set of roles: every element a role value, or one of them ``Role.X`` (a set of
    usernames such as ``{"staff-baima", "bureau"}`` is not one)."""
    elements = _elements(node, kinds)
    if not elements:
        return False
    return all(_is_role_value(e) for e in elements) or any(
        _is_role_value(e) and not isinstance(e, ast.Constant) for e in elements
    )


def _is_role_values(node: ast.AST) -> bool:
    """A role or a collection of roles, as a filter names them."""
    return _is_role_value(node) or _is_role_set(node, (ast.Set, ast.List, ast.Tuple))


def _is_role_of_someone(node: ast.AST) -> bool:
    """``user.role`` or ``getattr(user, "role", ...)``."""
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value == "role"
    )


def _names_roles(node: ast.AST) -> bool:
    """A role, a collection of roles, or a name of one (``COVERAGE_ROLES``)."""
    if _is_role_values(node):
        return True
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name.isupper() and "ROLE" in name


def role_findings(source: str) -> list[tuple[int, str]]:
    """The lines of ``source`` that decide by role in place: a comparison or membership test of
    someone's role, a filter on ``role``/``role__in`` with role values, a set of roles."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_role_of_someone(o) for o in operands) and any(
                _names_roles(o) for o in operands
            ):
                found.append((node.lineno, "an inline role check"))
        elif isinstance(node, ast.keyword) and node.arg in ("role", "role__in"):
            if _is_role_values(node.value):
                found.append((node.value.lineno, f"a filter {node.arg}= on role values"))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                is_role_key = isinstance(key, ast.Constant) and key.value in ("role", "role__in")
                if is_role_key and _is_role_values(value):
                    found.append((value.lineno, "a filter on role values"))
        elif _is_role_set(node):
            found.append((node.lineno, "a set of roles"))
    return sorted(set(found))


def test_roles_are_decided_only_in_the_apps_rules():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _sources()
        for line, what in role_findings(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        "Decide by role through a named predicate of the app's rules.py:\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    "source",
    [
        'if user.role == "bureau": pass',
        "if user.role in COVERAGE_ROLES: pass",
        "if user.role != Role.VOLUNTEER: pass",
        'ok = getattr(user, "role", "") == "volunteer"',
        'ok = user.is_superuser or getattr(user, "role", "") in {"bureau"}',
        'User.objects.filter(role="facility_operator")',
        "User.objects.filter(role__in=[Role.BUREAU, Role.TOWNSHIP_STAFF])",
        'limit = {"role": "facility_operator"}',
        'READERS = frozenset({"bureau", "township_staff"})',
        "TO_DO_LIST = frozenset({Role.VILLAGE_ASSISTANT})",
        'SIDE = {"volunteer", "village_assistant"}',
    ],
)
def test_it_finds_a_role_decided_in_place(source):
    assert role_findings(source)


@pytest.mark.parametrize(
    "source",
    [
        'ServiceLog.objects.select_related("volunteer", "senior")',
        'fields = ("id", "kind", "volunteer", "balance")',
        'condition = ~Q(kind__in=["volunteer", "fund"]) | Q(kind="volunteer")',
        'raise ValidationError({"volunteer": ["Choose the volunteer."]})',
        "if member.role == StaffRole.DIRECTOR: pass",
        "staff = [m for m in members if m.role in roles]",
        'REQUESTS = [("snapshots", "bureau", "/api/v1/coverage/snapshots/")]',
        'users = User.objects.filter(username__in={"staff-baima", "bureau"})',
        "if rules.can_verify_claim(user, claim): pass",
    ],
)
def test_it_leaves_alone_what_is_not_a_role(source):
    assert role_findings(source) == []


def test_the_scoping_rule_knows_every_role():
    assert SCOPED_ROLES == ROLE_VALUES
    assert OWN_ROWS_ROLES <= ROLE_VALUES
    assert OPERATOR_ROLES <= ROLE_VALUES


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_scoping_is_declared_not_written_per_model():
    """Every model's scope is the one ``ScopedQuerySet.visible_to`` over its declarations, so
    every model fails closed the same way."""
    apps.check_models_ready()
    querysets = set(_subclasses(ScopedQuerySet))
    assert len(querysets) > 20  # the models' querysets are all imported
    own_rules = sorted(
        f"{qs.__module__}.{qs.__qualname__}.{name}"
        for qs in querysets
        for name in ("visible_to", "writable_by", "_in_subtree", "_operated_by")
        if name in vars(qs)
    )
    assert own_rules == []
    undeclared = sorted(qs.__qualname__ for qs in querysets if not qs.region_lookup)
    assert undeclared == []

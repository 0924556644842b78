from collections.abc import Iterable

from django.db.models import Q, QuerySet

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit, User


def users_with_role(
    *, roles: Iterable[str], center: bool = False, unit_ids: Iterable[int] | None = None
) -> QuerySet[User]:
    """Active users holding any of `roles`: in the center's units (`center`), in the given
    units (`unit_ids`), or anywhere; each user once, in a stable order. Who a notice reaches."""
    condition = Q(is_active=True, role_grants__role__in=list(roles))
    if center:
        condition &= Q(unit__kind=UnitKind.CENTER)
    if unit_ids is not None:
        condition &= Q(unit_id__in=list(unit_ids))
    return User.objects.filter(condition).distinct().order_by("id")


def units_within(*, unit: Unit) -> QuerySet[Unit]:
    """The unit and all its descendants."""
    return Unit.objects.filter(path__startswith=unit.path)


def unit_get_by_code(*, code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first() if code else None


def units_search(*, query: str, limit: int = 20) -> QuerySet[Unit]:
    qs = Unit.objects.filter(is_active=True)
    if query:
        qs = qs.filter(name__contains=query) | qs.filter(code__startswith=query)
    return qs.order_by("level", "path")[:limit]


def units_tree(*, root: Unit | None = None, depth: int | None = None) -> list[tuple[Unit, int]]:
    """Units in tree order (siblings by code, then name) with their depth below `root` (0 = root).

    Without a root, every top-level unit is a root. `depth` limits how far down to go.
    """
    qs = units_within(unit=root) if root is not None else Unit.objects.all()
    units = list(qs.only("id", "code", "name", "kind", "parent_id", "path", "is_active"))
    children: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []
    stack = [(u, 0) for u in sorted(children.get(None, []), key=_tree_key, reverse=True)]
    while stack:
        unit, level = stack.pop()
        ordered.append((unit, level))
        if depth is None or level < depth:
            stack.extend((c, level + 1) for c in sorted(children.get(unit.pk, []), key=_tree_key, reverse=True))
    return ordered


def _tree_key(unit: Unit) -> tuple[str, str]:
    return (unit.code, unit.name)

"""Resolve the district / township / community named in a free-text address.

Names come from the unit tree (the statistical division names), so any installation that
loaded its own divisions resolves its own addresses. Full names (望京街道) are trusted; short
aliases (望京) only count when their parent district is named too, because short names collide
(将台路 is a road, 将台地区 a township).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit

SUFFIXES = ("街道办事处", "街道", "地区办事处", "地区", "镇", "乡", "社区居委会", "居委会", "村委会", "社区", "村")
KINDS = (UnitKind.DISTRICT, UnitKind.TOWNSHIP, UnitKind.COMMUNITY)
CACHE_KEY = "geo:address-index:v1"


@dataclass(frozen=True)
class ResolvedAddress:
    district: Unit | None = None
    township: Unit | None = None
    community: Unit | None = None


@dataclass(frozen=True)
class _Entry:
    unit_id: int
    kind: str
    path: str
    exact: bool


def _alias(name: str) -> str | None:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def _build_index() -> dict[str, list[_Entry]]:
    index: dict[str, list[_Entry]] = {}
    rows = Unit.objects.filter(kind__in=KINDS, is_active=True).values_list("pk", "name", "kind", "path")
    for pk, name, kind, path in rows:
        index.setdefault(name, []).append(_Entry(pk, kind, path, True))
        alias = _alias(name)
        if alias and kind != UnitKind.DISTRICT:
            index.setdefault(alias, []).append(_Entry(pk, kind, path, False))
    return index


def address_index() -> dict[str, list[_Entry]]:
    index: dict[str, list[_Entry]] | None = cache.get(CACHE_KEY)
    if index is None:
        index = _build_index()
        cache.set(CACHE_KEY, index, 600)
    return index


def address_index_reset() -> None:
    cache.delete(CACHE_KEY)


def _best(candidates: list[_Entry], kind: str, within: str | None) -> _Entry | None:
    fitting = [c for c in candidates if c.kind == kind and (within is None or c.path.startswith(within))]
    exact = [c for c in fitting if c.exact]
    if len(exact) == 1:
        return exact[0]
    aliases = [c for c in fitting if not c.exact]
    # An alias is trusted only inside a known parent, and only when it is unambiguous there.
    if not exact and within is not None and len(aliases) == 1:
        return aliases[0]
    return None


def address_resolve(text: str) -> ResolvedAddress:
    if not text:
        return ResolvedAddress()
    text = re.sub(r"\s+", "", text)
    index = address_index()
    found: dict[str, list[_Entry]] = {}
    for name, entries in index.items():
        if name in text:
            for entry in entries:
                found.setdefault(entry.kind, []).append(entry)
    district = _best(found.get(UnitKind.DISTRICT, []), UnitKind.DISTRICT, None)
    township = _best(found.get(UnitKind.TOWNSHIP, []), UnitKind.TOWNSHIP, district.path if district else None)
    community = _best(found.get(UnitKind.COMMUNITY, []), UnitKind.COMMUNITY, township.path if township else None)
    ids = [e.unit_id for e in (district, township, community) if e is not None]
    units = Unit.objects.in_bulk(ids)
    resolved_township = units.get(township.unit_id) if township else None
    resolved_district = units.get(district.unit_id) if district else None
    if resolved_district is None and resolved_township is not None:
        resolved_district = Unit.objects.filter(pk__in=resolved_township.ancestor_ids(), kind=UnitKind.DISTRICT).first()
    return ResolvedAddress(
        district=resolved_district,
        township=resolved_township,
        community=units.get(community.unit_id) if community else None,
    )

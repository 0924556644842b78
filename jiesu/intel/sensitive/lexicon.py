"""The sensitive-content lexicon: dated versions of words and patterns per category.

A version is in force from its `valid_from` until the next version starts; adding a version
closes the previous one the day before (as reply-element schemes do). Versions are never edited,
so the compiled alternation of a version is cached for the life of the process.

Two text forms, both read and written here:
- JSON: {"code", "name", "categories": {"<category>": {"words": [...], "patterns": [...]}}}
  (the seed file `jiesu/intel/seed/sensitive.json`, `jiesu intel lexicon load|export`);
- lines, for the web page: "类别<TAB>词语" per line, a regular expression written /between slashes/;
  the category is its Chinese label or its code, and any run of spaces may stand for the tab.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jiesu.audit.services import audit_record
from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.intel.choices import SensitiveCategory
from jiesu.intel.models import SensitiveLexicon, SensitiveTerm
from jiesu.intel.sensitive.matching import Matcher, PatternError, TermSpec, term_check
from jiesu.intel.versions import version_close, version_in_force
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User

SEED_FILE = Path(__file__).resolve().parent.parent / "seed" / "sensitive.json"
MAX_TERMS = 5_000
MANAGER_ROLES = (Role.SHIFT_LEAD, Role.SYSTEM_ADMIN)
LABELS: dict[str, str] = {c.value: str(c.label) for c in SensitiveCategory}
_BY_NAME: dict[str, str] = {**{v: v for v in LABELS}, **{label: code for code, label in LABELS.items()}}


class LexiconInvalid(ValidationFailed):
    code = "lexicon_invalid"
    default_message = "敏感词库内容有误"


def lexicon_can_manage(user: User | None) -> bool:
    """Shift leads and system admins of the center keep the lexicon."""
    if user is None:
        return True
    unit = user.unit
    return user.is_active and user.has_role(*MANAGER_ROLES) and unit is not None and unit.kind == UnitKind.CENTER


def lexicon_in_force(*, on: date) -> SensitiveLexicon | None:
    return version_in_force(SensitiveLexicon, on)


def lexicons_history() -> QuerySet[SensitiveLexicon]:
    return SensitiveLexicon.objects.order_by("-valid_from", "-id")


def lexicon_terms(lexicon: SensitiveLexicon) -> list[TermSpec]:
    rows = lexicon.terms.order_by("position", "id").values_list("category", "pattern", "is_regex")
    return [TermSpec(category, pattern, is_regex) for category, pattern, is_regex in rows]


@lru_cache(maxsize=16)
def _compiled(pk: int, created: str) -> Matcher:
    # `created` is part of the key: a test database may give a new version an old version's id.
    return Matcher(lexicon_terms(SensitiveLexicon.objects.get(pk=pk)))


def lexicon_matcher(lexicon: SensitiveLexicon) -> Matcher:
    return _compiled(lexicon.pk, lexicon.created_at.isoformat())


def category_code(name: str) -> str:
    code = _BY_NAME.get(name.strip())
    if code is None:
        raise LexiconInvalid(f"未知的类别：{name}（可用：{'、'.join(LABELS.values())}）", field="terms")
    return code


def _checked(specs: Sequence[TermSpec]) -> list[TermSpec]:
    # One row per (category, pattern) in the table: the first spelling of a term wins.
    by_key = {(s.category, s.pattern.strip()): s for s in reversed(specs)}
    unique = [TermSpec(c, p, by_key[c, p].is_regex) for c, p in reversed(list(by_key))]
    if not unique:
        raise LexiconInvalid("词库至少需要一个词语", field="terms")
    if len(unique) > MAX_TERMS:
        raise LexiconInvalid(f"词库最多 {MAX_TERMS} 个词语", field="terms")
    for spec in unique:
        try:
            term_check(spec)
        except PatternError as exc:
            raise LexiconInvalid(str(exc), field="terms") from exc
    return unique


def lexicon_parse(raw: Any) -> tuple[dict[str, str], list[TermSpec]]:
    """The header (code, name) and terms of the JSON form; refuses anything else."""
    groups = raw.get("categories") if isinstance(raw, dict) else None
    if not isinstance(groups, dict):
        raise LexiconInvalid("词库文件应为 JSON 对象，含 categories：{类别: {words: [...], patterns: [...]}}")
    specs: list[TermSpec] = []
    for name, group in groups.items():
        code = category_code(str(name))
        if not isinstance(group, dict):
            raise LexiconInvalid(f"类别 {name} 应为 {{words: [...], patterns: [...]}}")
        for key, is_regex in (("words", False), ("patterns", True)):
            items = group.get(key, [])
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise LexiconInvalid(f"类别 {name} 的 {key} 应为文字列表")
            specs += [TermSpec(code, item, is_regex) for item in items]
    header = {k: str(raw.get(k, "")).strip() for k in ("code", "name")}
    return header, _checked(specs)


def lexicon_file_read(path: Path) -> tuple[dict[str, str], list[TermSpec]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise LexiconInvalid(f"无法读取词库文件 {path}：{exc}") from exc
    return lexicon_parse(raw)


def lexicon_lines_parse(text: str) -> list[TermSpec]:
    """Terms of the lines form; the error names every bad line."""
    specs: list[TermSpec] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t", 1) if "\t" in line else line.strip().split(None, 1)
        if len(parts) != 2 or not parts[1].strip():
            errors.append(f"第 {number} 行应为“类别<Tab>词语”")
            continue
        term = parts[1].strip()
        is_regex = len(term) > 2 and term.startswith("/") and term.endswith("/")
        try:
            spec = TermSpec(category_code(parts[0]), term[1:-1] if is_regex else term, is_regex)
            term_check(spec)
        except (LexiconInvalid, PatternError) as exc:
            errors.append(f"第 {number} 行：{getattr(exc, 'message', exc)}")
            continue
        specs.append(spec)
    if errors:
        raise LexiconInvalid("；".join(errors[:10]), field="terms")
    return _checked(specs)


def lexicon_lines(terms: Sequence[TermSpec]) -> str:
    return "\n".join(
        f"{LABELS.get(t.category, t.category)}\t{f'/{t.pattern}/' if t.is_regex else t.pattern}" for t in terms
    )


def lexicon_export(lexicon: SensitiveLexicon) -> dict[str, Any]:
    groups: dict[str, dict[str, list[str]]] = {}
    for spec in lexicon_terms(lexicon):
        group = groups.setdefault(spec.category, {"words": [], "patterns": []})
        group["patterns" if spec.is_regex else "words"].append(spec.pattern)
    return {
        "code": lexicon.code,
        "name": lexicon.name,
        "valid_from": lexicon.valid_from.isoformat(),
        "valid_to": lexicon.valid_to.isoformat() if lexicon.valid_to else None,
        "categories": groups,
    }


@transaction.atomic
def lexicon_add(
    *, valid_from: date, terms: Sequence[TermSpec], actor: User | None, code: str = "", name: str = ""
) -> SensitiveLexicon:
    """A new version from `valid_from`; the version in force before it ends the day before. Only a
    date after every existing version's start is accepted: history is never rewritten."""
    if not lexicon_can_manage(actor):
        raise PermissionDenied("只有热线中心的班长或系统管理员可以维护敏感词库")
    specs = _checked(terms)
    latest = SensitiveLexicon.objects.select_for_update().order_by("-valid_from", "-id").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise LexiconInvalid(f"生效日期必须晚于现行版本的生效日期（{latest.valid_from}）", field="valid_from")
    code = code.strip() or f"sensitive-{valid_from:%Y%m%d}"
    if SensitiveLexicon.objects.filter(code=code).exists():
        raise LexiconInvalid(f"词库编码已存在：{code}", field="code")
    version_close(latest, valid_from)
    lexicon = SensitiveLexicon.objects.create(
        code=code, name=name.strip() or "敏感词库", valid_from=valid_from, created_by=actor
    )
    SensitiveTerm.objects.bulk_create(
        SensitiveTerm(lexicon=lexicon, category=s.category, pattern=s.pattern, is_regex=s.is_regex, position=i)
        for i, s in enumerate(specs)
    )
    audit_record(
        actor=actor,
        action="intel.lexicon_add",
        obj=lexicon,
        detail={"code": code, "valid_from": valid_from.isoformat(), "terms": len(specs)},
    )
    return lexicon

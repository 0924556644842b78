"""Reply elements (六要素): the versioned checklist a reply is held against.

A scheme is in force from its `valid_from` date until the next scheme starts; setting a new one
closes the previous (`valid_to` = the day before). A reply names the elements it covers; when a
scheme is in force, every required element must be named, or the reply is refused. The named
elements are stored in the event's payload, so a review sees what the reply claimed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from jiesu.sla.calendar import SHANGHAI
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import ReplyElement, ReplyElementScheme

DEFAULT_SCHEME_FILE = Path(__file__).resolve().parent.parent / "seed" / "reply_elements.json"
MAX_ELEMENTS = 20
# Cues (识别线索) of an element: the words and patterns that show it in a reply's text, read by
# the reply check (jiesu.intel.replycheck). A cue is a literal word, or a Python regular
# expression after this prefix.
CUE_REGEX_PREFIX = "re:"
MAX_CUES = 100
MAX_CUE_LENGTH = 200


@dataclass(frozen=True)
class ElementSpec:
    code: str
    label: str
    required: bool = True
    cues: tuple[str, ...] = ()


def reply_element_cues_clean(raw: Any, *, label: str = "") -> tuple[str, ...]:
    """Cues as stored: a list of non-empty strings, each `re:` pattern a valid regular expression."""
    where = f"要素「{label}」的" if label else ""
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_CUES:
        raise TicketInvalid(f"{where}识别线索应为不超过 {MAX_CUES} 项的字符串列表")
    cues: list[str] = []
    for item in raw:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_CUE_LENGTH:
            raise TicketInvalid(f"{where}识别线索应为 1–{MAX_CUE_LENGTH} 个字符的字符串")
        cue = item.strip()
        if cue.startswith(CUE_REGEX_PREFIX):
            pattern = cue[len(CUE_REGEX_PREFIX) :]
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise TicketInvalid(f"{where}识别线索不是有效的正则表达式：{pattern}（{exc}）") from exc
            if not pattern or compiled.match("") is not None:
                raise TicketInvalid(f"{where}识别线索的正则表达式不能匹配空文本：{pattern}")
        cues.append(cue)
    return tuple(dict.fromkeys(cues))


def reply_element_scheme_in_force(*, on: date) -> ReplyElementScheme | None:
    """The scheme in force on `on`, its elements prefetched; None when none has been set."""
    return (
        ReplyElementScheme.objects.filter(valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .prefetch_related("elements")
        .order_by("-valid_from", "-id")
        .first()
    )


def reply_element_scheme_at(moment: datetime) -> ReplyElementScheme | None:
    return reply_element_scheme_in_force(on=moment.astimezone(SHANGHAI).date())


def reply_elements_required(at: datetime) -> list[str]:
    """The codes of the required elements in force at `at` (none without a scheme): what a reply
    written by the system itself, such as the demo's, names to pass `reply_elements_check`."""
    scheme = reply_element_scheme_at(at)
    return [] if scheme is None else [e.code for e in scheme.elements.all() if e.required]


def reply_elements_check(*, ticked: Sequence[str], at: datetime) -> dict[str, Any]:
    """The event payload entry for a reply that names `ticked`; refuses missing required or
    unknown elements with a message naming them. Without a scheme in force nothing is checked."""
    scheme = reply_element_scheme_at(at)
    if scheme is None:
        return {}
    elements = list(scheme.elements.all())
    known = {e.code for e in elements}
    unknown = [c for c in ticked if c not in known]
    if unknown:
        raise TicketInvalid(f"反馈要素不在现行方案中：{'、'.join(unknown)}", field="elements")
    missing = [e.label for e in elements if e.required and e.code not in ticked]
    if missing:
        raise TicketInvalid(f"反馈内容缺少必备要素：{'、'.join(missing)}", field="elements", missing=missing)
    return {"elements": [e.code for e in elements if e.code in ticked], "element_scheme": scheme.code}


def _specs(raw: Any) -> list[ElementSpec]:
    items = raw.get("elements") if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items or len(items) > MAX_ELEMENTS:
        raise TicketInvalid(f"要素清单应为 1–{MAX_ELEMENTS} 项的列表")
    specs = []
    for item in items:
        if (
            not isinstance(item, dict)
            or not str(item.get("code", "")).strip()
            or not str(item.get("label", "")).strip()
        ):
            raise TicketInvalid("每个要素都需要 code 和 label")
        label = str(item["label"]).strip()
        cues = reply_element_cues_clean(item.get("cues"), label=label)
        specs.append(ElementSpec(str(item["code"]).strip(), label, bool(item.get("required", True)), cues))
    if len({s.code for s in specs}) != len(specs):
        raise TicketInvalid("要素编码不能重复")
    return specs


def reply_element_file_read(path: Path) -> tuple[dict[str, Any], list[ElementSpec]]:
    """A scheme file: {"code", "name", "elements": [{"code", "label", "required", "cues"}]} (or the
    bare list); `cues` is optional (see `reply_element_cues_clean`)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TicketInvalid(f"无法读取要素文件 {path}：{exc}") from exc
    header = raw if isinstance(raw, dict) else {}
    return header, _specs(raw)


@transaction.atomic
def reply_element_scheme_set(
    *, valid_from: date, elements: Sequence[ElementSpec], code: str = "", name: str = ""
) -> ReplyElementScheme:
    """A new version from `valid_from`; the version in force before it ends the day before.
    Only a date after every existing version's start is accepted: history is never rewritten."""
    latest = ReplyElementScheme.objects.select_for_update().order_by("-valid_from", "-id").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise TicketInvalid(f"生效日期必须晚于现行方案的生效日期（{latest.valid_from}）")
    code = code.strip() or f"scheme-{valid_from:%Y%m%d}"
    if ReplyElementScheme.objects.filter(code=code).exists():
        raise TicketInvalid(f"方案编码已存在：{code}")
    if latest is not None and (latest.valid_to is None or latest.valid_to >= valid_from):
        latest.valid_to = valid_from - timedelta(days=1)
        latest.save(update_fields=["valid_to", "updated_at"])
    scheme = ReplyElementScheme.objects.create(
        code=code, name=name.strip() or "反馈要素", valid_from=valid_from, valid_to=None
    )
    ReplyElement.objects.bulk_create(
        ReplyElement(scheme=scheme, code=s.code, label=s.label, required=s.required, position=i, cues=list(s.cues))
        for i, s in enumerate(elements)
    )
    return scheme

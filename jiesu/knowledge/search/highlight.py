"""Highlighted titles and snippets: HTML-escaped text with <mark> around every query term,
safe to render as is."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape

SNIPPET = 120  # characters of body shown around the first match
_SNIPPET_LEAD = 24


def marker(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern matching any of `terms`, longest first, ignoring case."""
    if not terms:
        return None
    alternatives = sorted({re.escape(t) for t in terms}, key=lambda t: (-len(t), t))
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` HTML-escaped with every match of `pattern` inside <mark>."""
    if pattern is None:
        return str(escape(text))
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out += [escape(text[last : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def snippet(text: str, pattern: re.Pattern[str] | None) -> str:
    """About SNIPPET characters of `text` from a little before its first match, highlighted."""
    flat = " ".join(text.split())
    match = pattern.search(flat) if pattern is not None else None
    start = max(0, match.start() - _SNIPPET_LEAD) if match else 0
    end = min(len(flat), start + SNIPPET)
    start = max(0, min(start, end - SNIPPET))
    body = highlight(flat[start:end], pattern)
    return ("…" if start > 0 else "") + body + ("…" if end < len(flat) else "")

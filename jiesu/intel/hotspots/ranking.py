"""What is reported about a hotspot, and the score that orders them.

score = peak requesters + 3·ln(1 + support) + 2·ln(1 + growth⁺)

- requesters (distinct people) lead: fifty neighbours are a hotspot, one person writing fifty
  times is a repeat appeal. Without a requester key every document counts as its own requester.
  They are counted in the busiest `PEAK_DAYS` of the hotspot, so that the time span counts: fifty
  people within a season is a hotspot, fifty questions about one policy spread over a year are a
  standing topic. Within the default 30-day window of the tickets this is simply all requesters.
- support (likes, co-signatures) is logarithmic: a message liked 800 times shows wide concern,
  but not 800 appeals' worth. With weight 3, 2,000 likes weigh like ~23 requesters.
- growth against the baseline window (the same length just before) favours what is rising;
  without any baseline data it is unknown (None) and adds nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jiesu.intel.hotspots.documents import Document

PEAK_DAYS = 90
SUPPORT_WEIGHT = 3.0
GROWTH_WEIGHT = 2.0


@dataclass
class Hotspot:
    label: str
    place: str
    problem: list[str]
    size: int
    first: datetime
    last: datetime
    ids: list[str]
    requesters: int
    peak_requesters: int
    support: int
    baseline: int
    growth: float | None
    active_days: int
    score: float = field(default=0.0)

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "size": self.size,
            "first": self.first.isoformat(sep=" "),
            "last": self.last.isoformat(sep=" "),
            "ids": self.ids,
            "place": self.place,
            "problem": self.problem,
            "requesters": self.requesters,
            "peak_requesters": self.peak_requesters,
            "support": self.support,
            "baseline": self.baseline,
            "growth": None if self.growth is None else round(self.growth, 3),
            "active_days": self.active_days,
            "score": round(self.score, 2),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hotspot:
        """The hotspot `as_dict` gave (a stored snapshot)."""
        fields = {**data, "first": datetime.fromisoformat(data["first"]), "last": datetime.fromisoformat(data["last"])}
        return cls(**fields)


def requester_count(documents: Sequence[Document]) -> int:
    return len({who(d) for d in documents})


def peak_requesters(documents: Sequence[Document], *, days: int = PEAK_DAYS) -> int:
    """The most distinct requesters within any `days`-long stretch starting at a document."""
    ordered = sorted(documents, key=lambda d: d.time)
    span = timedelta(days=days)
    inside: Counter[str] = Counter()
    best = end = 0
    for first in ordered:  # a sliding window: each document enters and leaves once
        while end < len(ordered) and ordered[end].time < first.time + span:
            inside[who(ordered[end])] += 1
            end += 1
        best = max(best, len(inside))
        key = who(first)
        inside[key] -= 1
        if not inside[key]:
            del inside[key]
    return best


def who(document: Document) -> str:
    """The requester's key; a document without one is its own requester."""
    return document.requester or f"#{document.id}"


def growth(size: int, baseline: int, *, has_history: bool) -> float | None:
    """Relative change against the baseline window; None when there is no history at all."""
    if not has_history:
        return None
    return (size - baseline) / max(baseline, 1)


def score(hotspot: Hotspot) -> float:
    rising = max(hotspot.growth or 0.0, 0.0)
    return hotspot.peak_requesters + SUPPORT_WEIGHT * math.log1p(hotspot.support) + GROWTH_WEIGHT * math.log1p(rising)

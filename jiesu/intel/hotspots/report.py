"""Hotspots as the CLI prints them: JSON (a list, best first) or a Chinese table."""

from __future__ import annotations

import json
from collections.abc import Sequence

from jiesu.intel.hotspots.ranking import Hotspot

IDS_SHOWN = 5


def as_json(hotspots: Sequence[Hotspot]) -> str:
    return json.dumps([h.as_dict() for h in hotspots], ensure_ascii=False, indent=2)


def as_table(hotspots: Sequence[Hotspot]) -> str:
    if not hotspots:
        return "所选时间范围内没有发现热点"
    lines = ["排名\t热点\t件数\t诉求人\t点赞\t增长\t首次\t最近\t编号"]
    for rank, h in enumerate(hotspots, start=1):
        growth = "—" if h.growth is None else f"{h.growth:+.0%}"
        ids = "、".join(h.ids[:IDS_SHOWN]) + (f" 等 {len(h.ids)} 件" if len(h.ids) > IDS_SHOWN else "")
        lines.append(
            f"{rank}\t{h.label}\t{h.size}\t{h.requesters}\t{h.support}\t{growth}\t"
            f"{h.first:%Y-%m-%d}\t{h.last:%Y-%m-%d}\t{ids}"
        )
    return "\n".join(lines)

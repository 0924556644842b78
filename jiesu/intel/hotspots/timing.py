"""Wall time of each stage of a detection: where a large corpus's time goes (`jiesu intel -v 2
hotspots`, `bench/bench_hotspots.py --stages`, docs/intel.md)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

# what each stage is called on screen, in the order the stages run
STAGE_NAMES = {
    "facts": "地点与 n-gram（分块）",
    "tfidf": "TF-IDF 加权",
    "blocks": "分块键",
    "candidates": "候选对",
    "pairs": "地点检验与相似度",
    "unplaced": "去地点相似度",
    "components": "连通分量",
    "trimming": "去地点凝聚度修剪",
    "ranking": "排序",
    "labels": "标签",
}


class StageTimes(dict[str, float]):
    """Seconds of wall time by stage (the keys of `STAGE_NAMES`), summed when a stage runs twice."""

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if name not in STAGE_NAMES:
            raise ValueError(f"unknown stage: {name}")
        start = time.perf_counter()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - start

    def lines(self) -> list[str]:
        """One line per stage run, in the order stages run, for people."""
        return [f"{STAGE_NAMES[name]}\t{self[name]:.2f} 秒" for name in STAGE_NAMES if name in self]

"""A hotspot's label: its place and its problem, e.g. "丽发新城 搅拌站噪音"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PROBLEM_WORDS = 2
# Words that survive the document-frequency pruning on a small corpus yet never name a problem.
GENERIC = frozenset((
    "投诉", "反映", "举报", "咨询", "请问", "问题", "关于", "建议", "希望", "严重", "附近", "小区",
    "我们", "政府", "领导", "相关", "部门", "要求", "市民", "居民", "业主", "情况", "什么", "如何",
    "为何", "何时", "能否", "是否", "请求", "恳请", "尊敬", "您好", "一个", "没有", "已经", "影响",
    "存在", "进行", "解决", "处理", "现在", "目前", "一直", "可以", "这个", "还是", "以及", "以下",
    "导致",
))  # fmt: skip


def problem_words(centroid: np.ndarray, vocabulary: Sequence[str], *, place: str, titles: Sequence[str]) -> list[str]:
    """The heaviest words of the cluster's centroid that are not its place nor generic, in the
    order they usually appear in the titles ("搅拌站 噪音", not "噪音 搅拌站")."""
    chosen: list[str] = []
    for index in np.argsort(-centroid).tolist():
        if centroid[index] <= 0 or len(chosen) == PROBLEM_WORDS:
            break
        word = vocabulary[index]
        if word in GENERIC or len(word) < 2 or _overlaps(word, place) or any(_overlaps(word, c) for c in chosen):
            continue
        chosen.append(word)
    return sorted(chosen, key=lambda w: _mean_position(w, titles))


def _overlaps(word: str, other: str) -> bool:
    """True when the words share two consecutive characters (区丽发 and 丽发新城: a place fragment)."""
    return any(word[k : k + 2] in other for k in range(len(word) - 1))


def _mean_position(word: str, titles: Sequence[str]) -> float:
    positions = [t.find(word) / max(len(t), 1) for t in titles if word in t.lower()]
    return sum(positions) / len(positions) if positions else 1.0


def label_text(place: str, problem: Sequence[str]) -> str:
    """Place and problem joined by a space; either may be missing."""
    return " ".join(p for p in (place, "".join(problem)) if p) or "（未命名）"

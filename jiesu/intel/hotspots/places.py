"""Place phrases (residential complexes, roads, villages …) found in appeal texts.

jieba cuts unknown place names badly ("A市伊景园滨河苑" → a / 市伊 / 景园 / 滨河 / 苑), so places
are found by their suffix instead: a run of Chinese characters ending in 小区, 新城, 苑, 村, 路 …,
with administrative prefixes (某市, 某区, 某街道) and opening verbs (投诉, 反映) stripped. Every
tail of such a run with at least two characters before the suffix is a candidate ("伊景园滨河苑",
"景园滨河苑", "园滨河苑"): which one names the place is decided later by how many documents of a
cluster share it (`place_name`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# Longer suffixes first so that 小区 wins over a bare 区. 街 is left out: 临街 (street-facing shops)
# is far more common in appeals than street names, and it made unrelated complexes look alike.
SUFFIXES = (
    "小区|新城|花园|家园|广场|大厦|公寓|公园|学院|学校|中学|小学|幼儿园|医院|市场|大道|商城|苑|村|路|城|园|湾|府|郡"
)
_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SUFFIX = re.compile(f"(?:{SUFFIXES})")
_PREFIX = re.compile(r"^(?:.{0,4}?(?:省|市|区|县|镇|乡|街道)|投诉|反映|举报|关于|咨询|请问|位于)+")
MAX_NAME = 8  # characters before the suffix; longer runs are sentences, not names
BODY_HEAD = 120  # where a body names its place, when the title does not


def places(text: str) -> set[str]:
    """Every candidate place phrase of `text` (see the module docstring)."""
    found: set[str] = set()
    for run in _RUN.findall(text):
        for match in _SUFFIX.finditer(run):
            name = _PREFIX.sub("", run[max(0, match.start() - MAX_NAME) : match.start()])
            for start in range(len(name) - 1):
                found.add(name[start:] + match.group())
    return found


def document_places(title: str, body: str) -> frozenset[str]:
    """The places a document is about: those of its title, else those at the start of its body."""
    return frozenset(places(title) or places(body[:BODY_HEAD]))


def place_keys(place_set: frozenset[str]) -> frozenset[str]:
    """The first two characters of each candidate: what `pairs.place_compatible` compares. Whole
    phrases would keep "丽发小区" and "丽发新城小区" apart, though residents use both names."""
    return frozenset(p[:2] for p in place_set)


def place_name(place_sets: Iterable[frozenset[str]], *, share: float = 0.8) -> str:
    """The place a group of documents is about: among the phrases found in at least `share` of the
    documents that the most common phrase is found in, the longest ("丽发新城" rather than "发新城");
    empty when no phrase is shared by two documents."""
    counts: Counter[str] = Counter()
    for each in place_sets:
        counts.update(each)
    if not counts:
        return ""
    top = max(counts.values())
    if top < 2:
        return ""
    eligible = [p for p, n in counts.items() if n >= share * top]
    return max(eligible, key=lambda p: (len(p), counts[p], p))

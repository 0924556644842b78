"""Place phrases (residential complexes, roads, villages …) found in appeal texts.

jieba cuts unknown place names badly ("A市伊景园滨河苑" → a / 市伊 / 景园 / 滨河 / 苑), so places
are found by their suffix instead: a run of Chinese characters ending in 小区, 新城, 苑, 村, 路 …,
with administrative prefixes (某市, 某区, 某街道) and opening verbs (投诉, 反映) stripped. Where the
name starts is not known ("我是丽发新城的业主"), so every tail with at least two characters before
the suffix is a candidate ("伊景园滨河苑", "景园滨河苑"), except fragments: a tail that starts
inside the name at a suffix or one character before one ("园滨河苑", "春花园路"), which would make
"润春花园" and "翠春花园" look alike. A suffix that is part of a common word (路灯, 道路, 广场舞,
政府, 村民) names no place. Which candidate names the place is decided later by how many documents
of a cluster share it (`place_name`); pairs compare the candidates' keys (`place_keys`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from jiesu.intel.hotspots.documents import Document

# Longer suffixes first so that 小区 wins over a bare 区. 街 is left out: 临街 (street-facing shops)
# is far more common in appeals than street names, and it made unrelated complexes look alike.
SUFFIXES = (
    "小区|新城|花园|家园|广场|大厦|公寓|公园|学院|学校|中学|小学|幼儿园|医院|市场|大道|商城|苑|村|路|城|园|湾|府|郡"
)
# Common words holding a suffix: complaints (路灯不亮, 道路积水, 广场舞扰民), offices (政府, 城管,
# 村委), people (村民). Their suffix starts no place and ends none.
GENERIC = (
    "道路|马路|公路|铁路|线路|网路|出路|走路|修路|路灯|路面|路段|路边|路况|路线|路由|路过|路费|"
    "广场舞|城市|城管|县城|进城|城区|村民|村委|村干部|村组|政府|园林|园区"
)
_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SUFFIX = re.compile(f"(?:{SUFFIXES})")
_STARTS_WITH_SUFFIX = re.compile(f"^.?(?:{SUFFIXES})")
_ENDS_WITH_SUFFIX = re.compile(f"(?:{SUFFIXES})$")
_GENERIC_TAIL = re.compile("(?:小区|社区)+$")  # 丽发新城小区 is 丽发新城
_GENERIC = re.compile(f"(?:{GENERIC})")
# 小区, 社区 and 园区 end places, not administrative prefixes ("润春小区" is a name, "A2区" is not)
_LINE_PREFIX = re.compile(
    r"^(?:.{0,4}?(?:省|市|(?<![小社园])区|县|镇|乡|街道)|投诉|反映|举报|关于|咨询|请问|位于)+", re.MULTILINE
)
MAX_NAME = 8  # characters before the suffix; longer runs are sentences, not names
BODY_HEAD = 120  # where a body names its place, when the title does not


def places(text: str) -> set[str]:
    """Every candidate place phrase of `text` (see the module docstring)."""
    return _run_places([_RUN.findall(text)])[0]


def _run_places(texts: Sequence[Sequence[str]]) -> list[set[str]]:
    """The candidate place phrases of each text, given as its runs of Chinese characters.

    All runs are read at once, one per line of a string: a regular expression call costs about a
    microsecond before it reads anything, and a million tickets made ten of them each. No pattern
    crosses a line (runs hold Chinese characters only), and `_LINE_PREFIX` strips the prefixes
    (某市, 投诉 …) at the start of each line."""
    owner = [k for k, runs in enumerate(texts) for _ in runs]
    lines = _LINE_PREFIX.sub("", "\n".join(run for runs in texts for run in runs))
    found: list[set[str]] = [set() for _ in texts]
    if not owner:
        return found
    generic = _generic_positions(lines)
    starts = list(itertools.accumulate((len(line) + 1 for line in lines.split("\n")), initial=0))
    line = 0
    tails: dict[tuple[str, str, bool], list[str]] = {}  # a place and its suffix recur in a corpus
    for match in _SUFFIX.finditer(lines):
        begin, end = match.span()
        while starts[line + 1] <= begin:
            line += 1
        if begin in generic or end - 1 in generic:
            continue
        low = max(starts[line], begin - MAX_NAME)
        key = (lines[low:begin], match.group(), low > starts[line])
        if key not in tails:
            tails[key] = _tails(*key)
        found[owner[line]].update(tails[key])
    return found


def _tails(name: str, suffix: str, cut: bool) -> list[str]:
    """The candidates ending in `suffix` preceded by `name`, the characters before it (up to
    `MAX_NAME`; `cut`: the run starts earlier). The run's first character is a real start:
    园润小区, 新城小区 may be whole names."""
    return [
        name[start:] + suffix
        for start in range(len(name) - 1)
        if not ((start > 0 or cut) and _STARTS_WITH_SUFFIX.match(name[start:]))
    ]


def _generic_positions(text: str) -> set[int]:
    return {i for m in _GENERIC.finditer(text) for i in range(m.start(), m.end())}


def document_places(title: str, body: str) -> frozenset[str]:
    """The places a document is about: those of its title, else those at the start of its body."""
    return _title_places(title) or frozenset(places(body[:BODY_HEAD]))


@functools.lru_cache(maxsize=100_000)
def _title_places(title: str) -> frozenset[str]:
    """Titles repeat (the same complaint about the same complex): each is read once."""
    return frozenset(places(title))


def corpus_places(documents: Sequence[Document]) -> list[frozenset[str]]:
    """`document_places` of each document. Within one corpus each distinct title, and each
    distinct body head (its runs of Chinese characters: a ticket number or a date does not make a
    template's text new), is read once, all in one batch (`_run_places`), and equal sets are one
    object (`place_key_matrix`)."""
    titles: dict[str, int] = {}
    title_of = [titles.setdefault(d.title, len(titles)) for d in documents]
    same: dict[frozenset[str], frozenset[str]] = {}
    by_title = [_one(same, found) for found in _run_places([_RUN.findall(title) for title in titles])]
    heads: dict[tuple[str, ...], int] = {}
    head_of = {
        k: heads.setdefault(tuple(_RUN.findall(d.body[:BODY_HEAD])), len(heads))
        for k, d in enumerate(documents)
        if not by_title[title_of[k]]
    }
    by_head = [_one(same, found) for found in _run_places(list(heads))]
    return [by_head[head_of[k]] if k in head_of else by_title[t] for k, t in enumerate(title_of)]


def _one(same: dict[frozenset[str], frozenset[str]], found: set[str]) -> frozenset[str]:
    each = frozenset(found)
    return same.setdefault(each, each)


@functools.lru_cache(maxsize=100_000)
def place_keys(place_set: frozenset[str]) -> frozenset[str]:
    """The keys of the candidates, what `pairs.similar_pairs` compares: "name|type", the name
    being the candidate without its type suffix ("润春花园" → "润春|花园"). 润春花园 and 润春家园
    are two places, but residents write 丽发小区 for 丽发新城小区: a name followed by 小区 alone
    has the key "丽发|", which `resolve_keys` replaces by the type the corpus mostly gives it."""
    return frozenset(_key(p) for p in place_set)


def _key(phrase: str) -> str:
    generic = _GENERIC_TAIL.search(phrase[2:])
    if generic:
        phrase = phrase[: 2 + generic.start()]
    typed = _ENDS_WITH_SUFFIX.search(phrase[2:])
    if typed:
        return f"{phrase[: 2 + typed.start()]}|{typed.group()}"
    return f"{phrase}|"


def resolve_keys(
    key_sets: Sequence[frozenset[str]], *, share: float = 0.8, weights: Sequence[int] | None = None
) -> list[frozenset[str]]:
    """`key_sets` with each "name|" key (小区 alone) replaced by "name|type" when one type holds
    `share` of the documents giving that name a type (丽发 → 新城); else it stays its own place.
    `weights`: how many documents each set stands for (default: one each)."""
    counted: Counter[frozenset[str]] = Counter()
    for keys, weight in zip(key_sets, weights if weights is not None else [1] * len(key_sets), strict=True):
        counted[keys] += weight
    typed: dict[str, Counter[str]] = {}
    for keys, weight in counted.items():
        for key in keys:
            name, _, kind = key.partition("|")
            if kind:
                typed.setdefault(name, Counter())[kind] += weight
    resolved: dict[str, str] = {}
    for name, kinds in typed.items():
        kind, count = kinds.most_common(1)[0]
        if count >= share * sum(kinds.values()):
            resolved[f"{name}|"] = f"{name}|{kind}"
    cache: dict[frozenset[str], frozenset[str]] = {}
    found = []
    for keys in key_sets:
        if keys not in cache:
            cache[keys] = frozenset(resolved.get(k, k) for k in keys)
        found.append(cache[keys])
    return found


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

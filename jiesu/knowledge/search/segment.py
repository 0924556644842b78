"""Terms of the knowledge-base index and of a search query, from jieba word segmentation.

Indexing is generous and querying is precise, so that what a user types finds what was written:

- the index holds each jieba word (precise mode) plus what jieba's search mode adds for a long
  word (its 2- and 3-character sub-words found in the dictionary) plus EVERY 2-character piece of
  a CJK word longer than two characters: 低保 then matches 低保户 and 城乡低保 even where jieba
  did not split them. Runs of single CJK characters (jieba's fallback for unknown strings) are
  joined and treated as one word, so 京民发 in a document number is found however it was cut,
  and a character left alone between words is also indexed with its neighbours' characters
  (申请公租房, cut 申请|公|租房, also gives 请公 and 公租);
- a query keeps jieba's precise words; a word longer than two CJK characters that the index does
  not know is replaced by its 2-character pieces (养老金 then finds texts that only say 养老),
  because every such piece of every indexed word is in the index.

Both sides drop punctuation, whitespace, our stop words and lone CJK characters, lower-case
letters (after NFKC, so full-width digits equal half-width ones) and cap a term at 64 characters.
ASCII words and numbers are kept: "12号" finds 京民发〔2024〕12号 through "12".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator

from jiesu.core.chinese import tokenizer

MAX_TERM = 64  # IndexTerm.term max_length
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ASCII_WORD = re.compile(r"[0-9a-z]+(?:[.\-][0-9a-z]+)*")
# Function words and question phrasing: they match nearly everything and rank nothing.
_STOP_TEXT = """的 了 和 与 及 或 是 在 吗 呢 吧 啊 呀 么 着 过 也 都 就 还 又 把 被 对 给 向 从 以 等 之 其
    怎么 如何 怎样 怎么办 为什么 什么 哪里 哪些 哪个 是否 能否 可否 可以 能不能 有没有 请问 请 我 我们
    你 你们 他们 这个 那个 这些 那些 一下 一个 关于 有关 相关 需要 应该 进行 以及 或者 还是 如果
    自己 没有 不是 已经 现在 目前 问题 咨询 反映 a an and are for in is of on or the to"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def is_cjk(word: str) -> bool:
    return bool(_CJK.fullmatch(word))


def _words(text: str) -> Iterator[str]:
    """jieba precise-mode words of `text`; adjacent lone CJK characters come out joined."""
    run = ""
    for word in tokenizer().cut(normalize(text)):
        if len(word) == 1 and is_cjk(word) and word not in STOP_WORDS:
            run += word
            continue
        if run:
            yield run
            run = ""
        yield word
    if run:
        yield run


def _keep(word: str) -> str:
    """The term to keep for a word, or "" to drop it."""
    word = word.strip()
    if not word or word in STOP_WORDS:
        return ""
    if is_cjk(word):
        return word[:MAX_TERM] if len(word) >= 2 else ""
    if _ASCII_WORD.fullmatch(word):
        return word[:MAX_TERM] if len(word) >= 2 or word.isdigit() else ""
    # Mixed or other scripts (rare: jieba splits CJK from ASCII); keep the letters and digits.
    cleaned = "".join(ch for ch in word if ch.isalnum())
    return cleaned[:MAX_TERM] if len(cleaned) >= 2 else ""


def pieces(word: str) -> list[str]:
    """The 2-character pieces of a word, in order, without stop words."""
    return [piece for i in range(len(word) - 1) if (piece := word[i : i + 2]) not in STOP_WORDS]


def _pieces(word: str) -> set[str]:
    """The 2-character pieces of a CJK word, and its 3-character pieces jieba knows as words."""
    freq = tokenizer().FREQ
    found = {word[i : i + 2] for i in range(len(word) - 1)}
    found.update(gram for i in range(len(word) - 2) if freq.get(gram := word[i : i + 3]))
    return {piece for piece in found if piece not in STOP_WORDS}


def _bridges(words: list[str], at: int) -> set[str]:
    """A lone character glued to the neighbouring characters: jieba cuts 公租房 in 申请公租房
    as 公|租房, and 公租 must still be found."""
    lone = words[at]
    found = set()
    if at > 0 and is_cjk(words[at - 1]):
        found.add(words[at - 1][-1] + lone)
    if at + 1 < len(words) and is_cjk(words[at + 1]):
        found.add(lone + words[at + 1][0])
    return found - STOP_WORDS


def index_terms(text: str) -> Counter[str]:
    """Terms to index for `text` with how often each occurs (a piece counts once per word)."""
    terms: Counter[str] = Counter()
    words = list(_words(text))
    for at, raw in enumerate(words):
        word = _keep(raw)
        if not word:
            if len(raw) == 1 and is_cjk(raw) and raw not in STOP_WORDS:
                terms.update(_bridges(words, at))
            continue
        found = {word}
        if len(word) > 2 and is_cjk(word):
            found |= _pieces(word)
        terms.update(found)
    return terms


def query_terms(text: str, *, known: Callable[[str], bool] | None = None) -> list[str]:
    """The distinct terms of a query, in order. `known(term)` says whether the index holds a
    term: a longer CJK word it does not hold is replaced by its 2-character pieces. Without
    `known` every word is kept whole."""
    terms: list[str] = []
    for raw in _words(text):
        word = _keep(raw)
        if not word:
            continue
        if known is not None and len(word) > 2 and is_cjk(word) and not known(word):
            terms.extend(pieces(word))
        else:
            terms.append(word)
    return list(dict.fromkeys(terms))

"""The default cues on the 2,816 real government replies of ../shared/data/tipdm2020/replies.csv.

Two guards (figures in docs/intel-reply-check.md): the share of replies in which each element is
found stays in the band measured when the cues were designed (a cue that stops matching, or one that
suddenly matches everything, fails it), and precision and recall on 60 replies checked by hand stay
at their floors. The hand labels are ours: per reply (留言编号), one digit per element in the order
of the default scheme, 1 = the reply does show the element (definitions in the docs).
"""

from __future__ import annotations

import csv

import pytest

from jiesu.intel.replycheck import default_rules, reply_text_check
from jiesu.intel.tests.support import DATA

REPLIES = DATA / "replies.csv"
CODES = ("handled_at", "handler", "process", "result", "basis", "requester_contact")
# Measured share of replies with each element → (floor, ceiling) around it.
SHARE_BANDS = {
    "handled_at": (0.16, 0.25),  # measured 19.2 %
    "handler": (0.60, 0.72),  # 65.6 %
    "process": (0.59, 0.70),  # 64.3 %
    "result": (0.58, 0.70),  # 63.4 %
    "basis": (0.29, 0.40),  # 33.1 %
    "requester_contact": (0.21, 0.30),  # 25.0 %
}
# 40 replies drawn when designing the cues (seed 2020), then 20 held out (seed 99).
HAND_LABELS = {
    "131948": "011110", "131939": "011110", "17635": "000110", "163653": "000001", "87339": "011100",
    "82338": "000110", "90348": "111100", "45832": "011111", "74851": "001000", "112653": "011110",
    "17067": "010100", "131289": "011000", "8567": "000101", "86657": "010111", "23130": "011111",
    "19979": "111110", "68460": "001000", "19669": "010100", "127864": "011100", "16673": "010111",
    "88816": "111110", "84810": "011100", "9225": "111111", "163647": "000001", "17142": "010100",
    "95333": "111111", "132133": "111111", "110446": "011100", "90587": "111100", "5607": "010110",
    "82367": "010001", "6090": "001111", "39145": "111100", "20483": "011100", "10671": "001100",
    "108022": "011110", "8744": "000110", "129716": "011111", "25459": "001101", "16990": "011100",
    "68414": "011101", "47745": "000100", "19200": "011100", "128202": "001000", "17915": "111100",
    "22870": "111100", "24695": "111101", "12452": "000000", "8085": "011100", "24793": "011111",
    "47830": "000110", "110461": "011100", "114582": "010111", "8468": "000100", "135231": "011101",
    "96708": "011110", "19154": "011100", "78113": "011110", "132227": "001100", "126293": "111110",
}  # fmt: skip
PRECISION_FLOOR = 0.75
RECALL_FLOOR = 0.75


def _replies() -> dict[str, str]:
    if not REPLIES.is_file():
        raise AssertionError(f"测试需要共享数据 {REPLIES}（见 ../shared/data/README.md），但找不到它")
    with REPLIES.open(encoding="utf-8-sig", newline="") as handle:
        return {row["留言编号"]: row["答复意见"].strip() for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def found() -> dict[str, dict[str, bool]]:
    _, _, rules = default_rules()
    assert tuple(r.code for r in rules) == CODES
    return {key: {f.code: f.found for f in reply_text_check(text, rules)} for key, text in _replies().items()}


def test_each_element_is_found_in_the_measured_share_of_real_replies(found: dict[str, dict[str, bool]]) -> None:
    assert len(found) == 2816
    for code, (floor, ceiling) in SHARE_BANDS.items():
        share = sum(row[code] for row in found.values()) / len(found)
        assert floor <= share <= ceiling, (code, share)


@pytest.mark.parametrize("code", CODES)
def test_precision_and_recall_on_the_hand_checked_replies_stay_at_their_floor(
    found: dict[str, dict[str, bool]], code: str
) -> None:
    index = CODES.index(code)
    pairs = [(labels[index] == "1", found[key][code]) for key, labels in HAND_LABELS.items()]
    true_positives = sum(1 for truth, guess in pairs if truth and guess)
    precision = true_positives / max(1, sum(1 for _, guess in pairs if guess))
    recall = true_positives / max(1, sum(1 for truth, _ in pairs if truth))
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, (code, precision, recall)

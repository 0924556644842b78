"""Matching the sensitive-content lexicon (pure, no database): each category of the default
lexicon, regular expressions, spans on the original text, negation, highlighting, bad terms."""

from __future__ import annotations

import json

import pytest

from jiesu.intel.sensitive.lexicon import SEED_FILE
from jiesu.intel.sensitive.matching import Matcher, PatternError, TermSpec, highlight, term_check


@pytest.fixture(scope="module")
def seed() -> Matcher:
    raw = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    terms = [
        TermSpec(category, pattern, key == "patterns")
        for category, group in raw["categories"].items()
        for key in ("words", "patterns")
        for pattern in group[key]
    ]
    return Matcher(terms)


@pytest.mark.parametrize(
    ("text", "category", "matched"),
    [
        ("我真的不想活了，没人管我", "threat_to_life", "不想活了"),
        ("再不给我解决我就要跳楼", "threat_to_life", "要跳楼"),
        ("逼急了我就和他同归于尽", "threat_to_life", "同归于尽"),
        ("昨晚她割腕了，现在在医院", "self_harm", "割腕"),
        ("业主们准备集体上访", "group_incident", "集体上访"),
        ("明天去区政府门口静坐", "group_incident", "去区政府门口静坐"),
        ("楼道里闻到很大的煤气味", "safety_hazard", "闻到很大的煤气味"),
        ("楼体出现明显裂缝，怕倒", "safety_hazard", "楼体出现明显裂缝"),
        ("不解决就找记者曝光", "public_opinion", "找记者"),
        ("我已经发到网上了，还上了热搜", "public_opinion", "发到网上"),
    ],
)
def test_each_category_is_found(seed: Matcher, text: str, category: str, matched: str) -> None:
    hits = seed.find(text)
    assert (category, matched) in [(h.category, h.text) for h in hits]


def test_spans_point_into_the_original_text(seed: Matcher) -> None:
    text = "来电人说：我不想\n活了！ＡＢＣ 还要去跳楼"
    hits = seed.find(text)
    assert [(h.text, text[h.start : h.end]) for h in hits] == [("不想\n活了", "不想\n活了"), ("去跳楼", "去跳楼")]
    assert hits[0].start == text.index("不想")


def test_a_regex_term_and_the_longest_match_win() -> None:
    matcher = Matcher(
        [
            TermSpec("group_incident", "围堵"),
            TermSpec("group_incident", "围堵政府"),
            TermSpec("threat_to_life", r"带着?(刀|汽油)", is_regex=True),
        ]
    )
    hits = matcher.find("他们要围堵政府，还说带着汽油来")
    assert [(h.text, h.term) for h in hits] == [("围堵政府", "围堵政府"), ("带着汽油", r"带着?(刀|汽油)")]


def test_full_width_and_upper_case_are_normalised() -> None:
    matcher = Matcher([TermSpec("public_opinion", "CCTV")])
    assert [h.text for h in matcher.find("要找ｃｃｔｖ曝光")] == ["ｃｃｔｖ"]


def test_a_negated_hit_is_dropped(seed: Matcher) -> None:
    assert seed.find("经现场查看没有燃气泄漏，也不是要跳楼") == []
    assert [h.text for h in seed.find("现场有燃气泄漏")] == ["燃气泄漏"]


def test_no_hit_in_an_ordinary_appeal(seed: Matcher) -> None:
    assert seed.find("小区门口道路坑洼，希望尽快维修。暖气不热，室温不足16度。") == []


def test_highlight_escapes_and_marks_each_category() -> None:
    matcher = Matcher([TermSpec("safety_hazard", "电线裸露")])
    text = "<b>楼道</b>电线裸露"
    html = highlight(text, matcher.find(text), {"safety_hazard": "安全隐患"})
    assert (
        html
        == '&lt;b&gt;楼道&lt;/b&gt;<mark class="sensitive sensitive-safety_hazard" title="安全隐患">电线裸露</mark>'
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (TermSpec("self_harm", "(自杀", is_regex=True), "正则表达式有误"),
        (TermSpec("self_harm", "(?P<x>自杀)", is_regex=True), "命名分组"),
        (TermSpec("self_harm", "(?i)自杀", is_regex=True), "内联标志"),
        (TermSpec("self_harm", "a*", is_regex=True), "空文本"),
        (TermSpec("self_harm", "   "), "不能为空"),
    ],
)
def test_unusable_terms_are_refused_in_chinese(spec: TermSpec, message: str) -> None:
    with pytest.raises(PatternError, match=message):
        term_check(spec)


def test_non_capturing_groups_are_allowed() -> None:
    assert term_check(TermSpec("self_harm", "(?:想|要)自杀", is_regex=True)) == "(?:想|要)自杀"

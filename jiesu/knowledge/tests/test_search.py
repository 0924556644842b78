"""Knowledge search on the fixture corpus: relevance, filters, highlighting, suggestions.

The same tests run on SQLite and on PostgreSQL; the exact-order assertions pin the ranking so
that both databases must agree on it.
"""

from __future__ import annotations

from datetime import date

import pytest

from jiesu.knowledge.choices import EntryStatus, IndexField, Library
from jiesu.knowledge.models import IndexTerm, KnowledgeEntry
from jiesu.knowledge.search.index import entries_reindex, entry_reindex
from jiesu.knowledge.search.query import knowledge_search
from jiesu.knowledge.search.segment import index_terms, query_terms
from jiesu.knowledge.tests.corpus import CASES, Case, build_corpus
from jiesu.tickets.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus() -> dict[str, KnowledgeEntry]:
    return build_corpus()


def _keys(corpus: dict[str, KnowledgeEntry], text: str, **filters: object) -> list[str]:
    names = {entry.pk: key for key, entry in corpus.items()}
    page = knowledge_search(text, viewer=None, **filters)  # type: ignore[arg-type]
    return [names.get(hit.entry.pk, str(hit.entry.pk)) for hit in page.hits]


@pytest.mark.parametrize("case", CASES, ids=[c.query for c in CASES])
def test_relevance(corpus: dict[str, KnowledgeEntry], case: Case) -> None:
    assert case.expected in _keys(corpus, case.query)[: case.within]


def test_two_character_words_match_inside_longer_words(corpus: dict[str, KnowledgeEntry]) -> None:
    # The heating subsidy text only says 低保户; jieba keeps that as one word.
    assert "低保户" in index_terms(corpus["p_heating_subsidy"].body)
    assert "p_heating_subsidy" in _keys(corpus, "低保")
    assert {"p_medicare_pay", "s_medicare_card", "l_dongcheng_medicare"} <= set(_keys(corpus, "医保"))
    assert {"s_noise_reply", "p_noise_old", "i_elevator"} <= set(_keys(corpus, "噪音"))


def test_document_number_parts_are_found(corpus: dict[str, KnowledgeEntry]) -> None:
    assert "p_dibao" in _keys(corpus, "12号")
    assert _keys(corpus, "京民发")[0] == "p_dibao"


def test_title_match_outranks_body_match(corpus: dict[str, KnowledgeEntry]) -> None:
    body_only = KnowledgeEntry.objects.create(
        library=Library.POLICY,
        status=EntryStatus.PUBLISHED,
        title="街道便民服务事项清单",
        body="本清单列出街道可以办理的事项，其中包括广场舞活动场地的协调。",
    )
    entry_reindex(body_only)
    keys = _keys(corpus, "广场舞")
    assert keys.index("i_square_dance") < keys.index(str(body_only.pk))


def test_exact_order_is_pinned(corpus: dict[str, KnowledgeEntry]) -> None:
    # The same list on SQLite and PostgreSQL: ranking is computed in SQL with one expression.
    assert _keys(corpus, "低保") == [
        "s_dibao_apply",  # in the title, and a short entry
        "p_dibao_level",
        "p_dibao",
        "l_chaoyang_aid",
        "p_heating_subsidy",  # only inside 低保户, in a longer text
    ]
    assert _keys(corpus, "医保 异地就医") == [
        "p_medicare_remote",
        "l_dongcheng_medicare",
        "s_medicare_card",
        "r_medicare",
        "p_medicare_pay",
    ]
    assert _keys(corpus, "噪声 施工") == [
        "r_noise_night",
        "p_noise_new",
        "s_noise_reply",
        "p_noise_old",
        "i_wage",
        "l_wangjing",
    ]


def test_more_query_terms_matched_rank_first(corpus: dict[str, KnowledgeEntry]) -> None:
    keys = _keys(corpus, "低保 供暖")
    assert keys[0] == "p_heating_subsidy"  # the only entry with both


def test_library_filter(corpus: dict[str, KnowledgeEntry]) -> None:
    keys = _keys(corpus, "低保", libraries=[Library.STANDARD_ANSWER, Library.LIAISON])
    assert set(keys) == {"s_dibao_apply", "l_chaoyang_aid"}


def test_category_filter_covers_the_subtree(corpus: dict[str, KnowledgeEntry]) -> None:
    aid = Category.objects.get(code="kb-aid")
    keys = _keys(corpus, "申请", category=aid)
    # 社会救助 and its child 最低生活保障, nothing from 住房保障 or 教育.
    assert {"p_temp_aid", "p_dibao", "s_dibao_apply", "p_disability"} <= set(keys)
    assert {corpus[k].category.code for k in keys if corpus[k].category} <= {"kb-aid", "kb-dibao"}  # type: ignore[union-attr]


def test_validity_filter(corpus: dict[str, KnowledgeEntry]) -> None:
    keys = _keys(corpus, "施工 噪声", valid_on=date(2024, 6, 1))
    assert "p_noise_new" in keys and "p_noise_old" not in keys
    keys = _keys(corpus, "施工 噪声", valid_on=date(2022, 6, 1))
    assert "p_noise_old" in keys and "p_noise_new" not in keys
    assert "r_noise_night" in keys  # no validity: always valid


def test_statuses_filter(corpus: dict[str, KnowledgeEntry]) -> None:
    draft = KnowledgeEntry.objects.create(
        library=Library.POLICY, status=EntryStatus.DRAFT, title="低保边缘家庭认定办法（征求意见稿）"
    )
    entry_reindex(draft)
    assert str(draft.pk) not in _keys(corpus, "低保边缘")
    assert _keys(corpus, "低保边缘", statuses=[EntryStatus.PUBLISHED, EntryStatus.DRAFT])[0] == str(draft.pk)
    assert _keys(corpus, "低保", statuses=[EntryStatus.REVIEW]) == []


def test_inactive_viewer_sees_nothing(corpus: dict[str, KnowledgeEntry], world: object) -> None:
    from jiesu.orgs.models import User

    user = User.objects.filter(is_active=True).first()
    assert user is not None
    assert knowledge_search("低保", viewer=user).total >= 3
    user.is_active = False
    assert knowledge_search("低保", viewer=user).total == 0


def test_highlight_escapes_html(db: None) -> None:
    entry = KnowledgeEntry.objects.create(
        library=Library.STANDARD_ANSWER,
        status=EntryStatus.PUBLISHED,
        title="<script>alert(1)</script>低保答复",
        body="关于低保的答复 <b>加粗</b> & 更多" + "说明" * 100,
    )
    entry_reindex(entry)
    hit = knowledge_search("低保", viewer=None).hits[0]
    assert hit.title_html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>低保</mark>答复"
    assert "<mark>低保</mark>" in hit.snippet_html
    assert "&lt;b&gt;" in hit.snippet_html and "&amp;" in hit.snippet_html and "<b>" not in hit.snippet_html
    assert hit.snippet_html.endswith("…") and len(hit.snippet_html) < 200


def test_snippet_starts_near_the_first_match(db: None) -> None:
    entry = KnowledgeEntry.objects.create(
        library=Library.POLICY, status=EntryStatus.PUBLISHED, title="说明", body="前言" * 100 + "公租房轮候规则"
    )
    entry_reindex(entry)
    hit = knowledge_search("轮候", viewer=None).hits[0]
    assert hit.snippet_html.startswith("…") and "<mark>轮候</mark>" in hit.snippet_html


def test_suggestions_for_near_misses(corpus: dict[str, KnowledgeEntry]) -> None:
    page = knowledge_search("低报怎么申请", viewer=None)
    assert "低保" in page.suggestions
    assert len(page.suggestions) <= 5
    page = knowledge_search("养老", viewer=None, libraries=[Library.LIAISON])
    assert page.total < 3 and "养老金" in page.suggestions
    assert knowledge_search("养老金资格认证", viewer=None).suggestions == []


def test_a_word_only_in_a_draft_is_never_suggested_to_readers(db: None) -> None:
    draft = KnowledgeEntry.objects.create(
        library=Library.LIAISON, status=EntryStatus.DRAFT, title="联络人", body="联系人：欧阳翠花"
    )
    entry_reindex(draft)
    assert "翠花" not in knowledge_search("翠华", viewer=None).suggestions
    editors = knowledge_search("翠华", viewer=None, statuses=(EntryStatus.DRAFT, EntryStatus.PUBLISHED))
    assert "翠花" in editors.suggestions  # those allowed to search drafts still get it


def test_unknown_long_word_falls_back_to_pieces(corpus: dict[str, KnowledgeEntry]) -> None:
    page = knowledge_search("公租房屋", viewer=None)  # not a word of any entry
    assert "公租" in page.terms and page.total > 0


def test_reindex_replaces_old_terms(corpus: dict[str, KnowledgeEntry]) -> None:
    entry = corpus["i_wage"]
    entry.title, entry.body = "建筑工地欠薪处置", "欠薪投诉由劳动监察受理。"
    entry.save()
    entry_reindex(entry)
    assert not IndexTerm.objects.filter(entry=entry, term="农民工").exists()
    assert IndexTerm.objects.filter(entry=entry, term="欠薪", field=IndexField.TITLE).exists()
    assert "i_wage" not in _keys(corpus, "农民工")
    assert _keys(corpus, "欠薪")[0] == "i_wage"
    assert KnowledgeEntry.objects.get(pk=entry.pk).indexed_length == entry.indexed_length > 0


def test_entries_reindex_rebuilds_everything(corpus: dict[str, KnowledgeEntry]) -> None:
    before = sorted(IndexTerm.objects.values_list("entry_id", "field", "term", "frequency"))
    IndexTerm.objects.all().delete()
    assert entries_reindex() == len(corpus)
    assert sorted(IndexTerm.objects.values_list("entry_id", "field", "term", "frequency")) == before
    assert entries_reindex([corpus["p_dibao"]]) == 1


def test_paging_and_total(corpus: dict[str, KnowledgeEntry]) -> None:
    full = knowledge_search("申请", viewer=None, limit=100)
    page = knowledge_search("申请", viewer=None, limit=3, offset=3)
    assert page.total == full.total == len(full.hits) > 6
    assert [h.entry.pk for h in page.hits] == [h.entry.pk for h in full.hits[3:6]]
    assert knowledge_search("申请", viewer=None, offset=500).total == full.total


def test_query_terms() -> None:
    assert query_terms("低保怎么申请？") == ["低保", "申请"]
    assert query_terms("Ｗｉｆｉ密码") == ["wifi", "密码"]
    assert query_terms("的了吗") == []
    assert query_terms("养老金", known=lambda word: False) == ["养老", "老金"]
    assert knowledge_search("？？", viewer=None).total == 0


def test_common_terms_only_add_to_the_score(corpus: dict[str, KnowledgeEntry], monkeypatch: pytest.MonkeyPatch) -> None:
    from jiesu.knowledge.search import rank

    assert knowledge_search("广场舞 申请", viewer=None).total > 5
    # With a tiny corpus the cut-off never applies; lower it so that 申请 counts as common.
    monkeypatch.setattr(rank, "COMMON_MIN", 1)
    monkeypatch.setattr(rank, "COMMON_SHARE", 0.1)
    assert _keys(corpus, "广场舞 申请") == ["i_square_dance"]
    assert _keys(corpus, "低保 申请")[0] == "s_dibao_apply"  # both terms: 申请 still scores
    assert knowledge_search("申请 办理", viewer=None).total > 0  # common only: the rarest selects


def test_capped_candidates_keep_an_exact_total(
    corpus: dict[str, KnowledgeEntry], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiesu.knowledge.search import rank

    exact = knowledge_search("申请", viewer=None, limit=100)
    monkeypatch.setattr(rank, "CANDIDATE_POSTINGS", 1)
    monkeypatch.setattr(rank, "CANDIDATES", 4)
    capped = knowledge_search("申请", viewer=None, limit=3)
    assert capped.total == exact.total
    assert len(capped.hits) == 3 and {h.entry.pk for h in capped.hits} <= {h.entry.pk for h in exact.hits}
    deep = knowledge_search("申请", viewer=None, limit=3, offset=3)  # beyond the candidates: exact
    assert [h.entry.pk for h in deep.hits] == [h.entry.pk for h in exact.hits[3:6]]

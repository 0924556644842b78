"""Each stage of hotspot detection on small, readable inputs (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import scipy.sparse as sp

from jiesu.intel.hotspots import (
    Document,
    HotspotSettings,
    blocking,
    clustering,
    features,
    hotspots_detect,
    labels,
    pairs,
    parse_time,
    places,
    ranking,
)
from jiesu.intel.hotspots.features import document_words, texts_of, vectorize, word_df
from jiesu.intel.ngrams import hashed_ngrams

T0 = datetime(2026, 3, 1, 9, 0)


def doc(number: int, title: str, body: str = "", *, day: int = 0, who: str = "", likes: int = 0) -> Document:
    return Document(str(number), title, body, T0 + timedelta(days=day, hours=number % 7), who or f"p{number}", likes)


def test_export_time_shapes_are_read_and_nonsense_is_refused():
    assert parse_time("2019/2/28 11:25:05") == datetime(2019, 2, 28, 11, 25, 5)
    assert parse_time("2017-06-08 17:31:20") == datetime(2017, 6, 8, 17, 31, 20)
    assert parse_time("2019/07/21") == datetime(2019, 7, 21)
    assert parse_time("2019年7月21日 8:05") == datetime(2019, 7, 21, 8, 5)
    assert parse_time("2019/2/30 10:00") is None
    assert parse_time("昨天") is None and parse_time("") is None


def test_places_are_found_by_suffix_without_administrative_prefixes():
    found = places.places("投诉A市伊景园滨河苑捆绑销售车位")
    assert "伊景园滨河苑" in found and "市伊景园滨河苑" not in found
    found = places.places("A2区丽发新城小区附近搅拌站噪音扰民")
    assert {"丽发新城", "丽发新城小区"} <= found
    assert not any(p.startswith("区") for p in found)
    assert places.places("噪音扰民") == set()


def test_a_document_takes_its_place_from_the_title_else_from_the_start_of_the_body():
    assert "丽发新城" in places.document_places("丽发新城附近搅拌站扰民", "")
    assert "丽发新城" in places.document_places("投诉搅拌站噪音", "暮云街道丽发新城边上在建搅拌站")
    assert places.document_places("投诉搅拌站噪音", "很吵" * 100 + "丽发新城") == frozenset()


def test_a_corpus_read_in_one_batch_gives_each_documents_own_places():
    texts = [
        ("投诉A市伊景园滨河苑捆绑销售车位", ""),
        ("A2区丽发新城小区附近搅拌站噪音扰民", ""),
        ("投诉搅拌站噪音", "暮云街道丽发新城边上在建搅拌站，A市润春花园也吵"),
        ("区润芳园油烟", ""),  # a line's prefix is stripped only at its own start
        ("投诉搅拌站噪音", "很吵" * 100 + "丽发新城"),
        ("伊景园滨河苑车位", "投诉A市伊景园滨河苑"),
        ("反映润春花园路灯长期不亮，请问魅力之城小区", ""),
    ]
    corpus = [doc(k, title, body=body) for k, (title, body) in enumerate(texts)]
    found = places.corpus_places(corpus * 2)
    assert found == [places.document_places(title, body) for title, body in texts] * 2
    assert found[3] == {"润芳园"} and not found[4] and "魅力之城小区" in found[6]


def test_the_place_name_of_a_group_is_the_longest_phrase_most_documents_share():
    sets = [places.document_places(t, "") for t in ("丽发新城小区搅拌站", "A2区丽发新城搅拌站", "丽发新城旁搅拌站")]
    assert places.place_name(sets) == "丽发新城"
    assert places.place_name([frozenset({"幸福里小区"}), frozenset()]) == ""


def test_words_count_the_title_twice_and_drop_region_codes_but_keep_numbers():
    words = document_words(doc(1, "A2区58车贷立案", "案件进展"))
    assert words.count("车贷") == 2 and words.count("58") == 2
    assert "a2" not in words and "案件" in words


def test_ngrams_are_hashed_per_text_without_latin_letters():
    buckets, owners = hashed_ngrams(["搅拌站", "A2区58车贷", ""], (2, 3), 24)
    assert owners.tolist().count(0) == 3  # 搅拌 拌站 搅拌站
    # a2 and a2区 hold a letter and are dropped: 2区 区5 58 8车 车贷, 2区5 区58 58车 8车贷 remain
    assert owners.tolist().count(1) == 9 and 2 not in owners.tolist()
    assert buckets.min() >= 0 and buckets.max() < 1 << 24
    again, _ = hashed_ngrams(["搅拌站"], (2, 3), 24)
    assert sorted(again.tolist()) == sorted(buckets[owners == 0].tolist())


def test_vectors_are_normalised_and_pruned_by_document_frequency():
    texts = ["噪音搅拌站独有一", "噪音搅拌站", "噪音车位", "车位独有二", "毫无关联"]
    documents = [doc(i, t) for i, t in enumerate(texts)]
    features = vectorize(texts_of(documents), min_df=2, max_count=2)
    matrix = features.matrix
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    assert np.allclose(norms, [1, 1, 1, 1, 0])  # the last row is all pruned: its neighbour's norm is whole
    # 噪音 is in 3 documents (pruned), 独有 in 2 but 独有一 / 独有二 in one: rows 0 and 1 share 搅拌站 only
    cosine = (matrix @ matrix.T).toarray()
    assert cosine[0, 1] > 0.5 and cosine[0, 2] == 0 and cosine[2, 3] > 0
    assert features.df.sum() > 0 and vectorize(texts_of([doc(9, "只有一次")]), min_df=2, max_count=10).matrix.nnz == 0
    assert word_df(features, ["搅拌站", "噪音", "车", "从未出现"]).tolist() == [2, 3, 0, 0]


def test_chunked_pairs_equal_the_full_product():
    rng = np.random.default_rng(0)
    dense = rng.random((40, 12)) * (rng.random((40, 12)) < 0.3)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    matrix = sp.csr_matrix(dense / np.linalg.norm(dense, axis=1, keepdims=True))
    first, second, scores = pairs.similar_pairs(matrix, threshold=0.5, chunk=7)
    full = np.triu(matrix @ matrix.T.toarray(), 1)
    expected = set(zip(*np.nonzero(full >= 0.5), strict=True))
    assert set(zip(first.tolist(), second.tolist(), strict=True)) == expected
    assert all(i < j for i, j in zip(first, second, strict=True))
    assert np.allclose(scores, full[first, second])


def test_pairs_at_two_different_places_are_dropped():
    matrix = sp.csr_matrix(np.ones((4, 1), dtype=np.float32))  # four identical texts
    keys = pairs.key_matrix([frozenset({"魅力"}), frozenset({"润芳"}), frozenset(), frozenset({"魅力", "劳动"})])
    first, second, _ = pairs.similar_pairs(matrix, threshold=0.9, places=keys, chunk=3)
    assert sorted(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 2), (0, 3), (1, 2), (2, 3)]


def test_a_suffix_inside_a_problem_word_makes_no_place_and_fragments_make_no_key():
    assert places.places("润春花园路灯长期不亮") == {"润春花园"}  # not 春花园路 / 花园路
    assert places.places("润村花园道路积水") == {"润村花园"}
    assert places.places("噪音扰民广场舞") == set() and places.places("请政府关闭") == set()
    assert places.places("润春小区门禁故障") == {"润春小区"}  # 小区 is no administrative 区
    ours = places.place_keys(places.document_places("润春花园路灯不亮", ""))
    theirs = places.place_keys(places.document_places("翠春花园路灯不亮", ""))
    assert ours == {"润春|花园"} and theirs == {"翠春|花园"}
    assert places.place_keys(places.document_places("伊景园滨河苑车位", "")) == {"伊景|园", "伊景园滨河|苑", "滨河|苑"}


def test_place_keys_keep_the_type_and_resolve_a_bare_xiaoqu_only_when_unambiguous():
    keys = [places.place_keys(frozenset(places.places(t))) for t in ("丽发新城小区", "丽发小区", "丽发新城搅拌站")]
    assert keys[0] == {"丽发|新城"} and keys[1] == {"丽发|"}
    assert places.resolve_keys(keys) == [frozenset({"丽发|新城"})] * 3
    titles = ("安欣花园", "安欣家园", "安欣小区")  # two places named 安欣: the bare one stays apart
    resolved = places.resolve_keys([places.place_keys(frozenset(places.places(t))) for t in titles])
    assert resolved == [frozenset({"安欣|花园"}), frozenset({"安欣|家园"}), frozenset({"安欣|"})]


def test_without_places_the_same_complaint_at_two_places_is_alike_and_two_at_one_place_are_not():
    documents = [
        doc(1, "魅力之城油烟扰民"),
        doc(2, "魅力之城楼板开裂"),
        doc(3, "润芳园油烟扰民"),
        doc(4, "润芳园楼板开裂"),
    ]
    matrix = vectorize(texts_of(documents), min_df=2, max_count=10).matrix
    bare = features.without_places(documents, [places.document_places(d.title, "") for d in documents])
    assert [title for title, _ in bare] == ["，油烟扰民", "，楼板开裂", "，油烟扰民", "，楼板开裂"]
    unplaced = vectorize(bare, min_df=2, max_count=10).matrix
    assert (matrix @ matrix.T)[0, 1] > 0.3  # the same place looks like the same issue …
    assert (unplaced @ unplaced.T)[0, 1] == 0  # … until its name is removed
    assert np.allclose(pairs.pair_cosines(unplaced, np.array([0, 1]), np.array([2, 3])), [1, 1])


def test_overlapping_places_of_one_length_are_blanked_in_text_order_whatever_the_hash_seed():
    phrases = frozenset({"发新城小", "丽发新城", "丽发新城小区"})
    assert features._longest_first(phrases) == ("丽发新城小区", "丽发新城", "发新城小")
    bare = features.without_places([doc(0, "丽发新城小噪音", body="发新城小丽发新城")], [phrases - {"丽发新城小区"}])
    assert bare == [("，小噪音", "，，")]  # 丽发新城 first: 发新城小 is left only in the body


def test_components_link_pairs_and_trimming_drops_a_chained_stranger():
    groups = clustering.components(6, np.array([0, 1, 3]), np.array([1, 2, 4]))
    assert groups.lists() == [[0, 1, 2], [3, 4]]
    rows = np.array([[1, 0, 0], [0.95, 0.31, 0], [0.9, 0.43, 0], [0.97, 0.24, 0], [0, 0.3, 0.95]])
    matrix = sp.csr_matrix(rows / np.linalg.norm(rows, axis=1, keepdims=True))

    def trim(*groups: list[int]) -> list[list[int]]:
        return clustering.trim_groups(matrix, clustering.Groups.of(list(groups)), cohesion=0.6, min_size=3).lists()

    assert trim([0, 1, 2, 3, 4]) == [[0, 1, 2, 3]]
    assert trim([0, 4]) == []
    assert trim([0, 1, 2, 3, 4], [0, 4], [1, 2, 3]) == [[0, 1, 2, 3], [1, 2, 3]]


def test_trimming_and_the_place_test_give_the_same_in_small_pieces(monkeypatch):
    rng = np.random.default_rng(3)
    dense = rng.random((60, 8)) * (rng.random((60, 8)) < 0.5)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    matrix = sp.csr_matrix(dense / np.linalg.norm(dense, axis=1, keepdims=True))
    groups = clustering.Groups.of([list(range(k, 60, 7)) for k in range(7)])
    keys = sp.csr_matrix((rng.random((60, 5)) < 0.3).astype(np.float32))
    first, second = np.arange(0, 59), np.arange(1, 60)

    def both() -> tuple[list[list[int]], list[bool], list[bool]]:
        trimmed = clustering.trim_groups(matrix, groups, cohesion=0.5, min_size=3).lists()
        shared, unplaced = pairs.place_test(first, second, keys)
        return trimmed, shared.tolist(), unplaced.tolist()

    whole = both()
    monkeypatch.setattr(clustering, "SIMILARITY_MEMBERS", 3)  # a piece ends inside a group: it takes it whole
    monkeypatch.setattr(pairs, "FILTER_PAIRS", 4)
    assert both() == whole and whole[0] and any(whole[1]) and not all(whole[1]) and any(whole[2])


def test_an_oversized_component_is_split_again_at_a_higher_threshold():
    first, second = np.array([0, 1, 2, 3, 4]), np.array([1, 2, 3, 4, 5])
    scores = np.array([0.9, 0.9, 0.35, 0.9, 0.9], dtype=np.float32)  # two tight triples, one weak link
    split = clustering.split_components(6, first, second, scores, threshold=0.3, max_component=3)
    assert split.lists() == [[0, 1, 2], [3, 4, 5]]
    assert clustering.split_components(6, first, second, scores, threshold=0.3).lists() == [[0, 1, 2, 3, 4, 5]]


def neighbour_pairs(matrix: sp.csr_matrix, entries: np.ndarray, *, reach: int, **test: Any) -> tuple[np.ndarray, ...]:
    """What detection does on a large corpus: candidates of the blocks, then those alike."""
    first, second = blocking.candidate_pairs(entries, matrix.shape[0], reach=reach)
    return blocking.alike_pairs(matrix, first, second, **test)


def test_neighbour_pairs_are_the_exact_pairs_within_reach_in_each_blocks_order():
    rng = np.random.default_rng(1)
    dense = rng.random((300, 40)) * (rng.random((300, 40)) < 0.15)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    matrix = sp.csr_matrix((dense / np.linalg.norm(dense, axis=1, keepdims=True)).astype(np.float32))
    df = np.bincount(matrix.indices, minlength=40)
    entries = blocking.block_keys(matrix, df, keys=2, max_block=60, min_block=2)
    assert all(2 <= df[c] <= 60 for c in entries[:, 1]) and len(entries) <= 600
    first, second, scores = neighbour_pairs(matrix, entries, reach=3, threshold=0.3)
    exact = pairs.similar_pairs(matrix, threshold=0.3)
    everything = dict(zip(zip(exact[0].tolist(), exact[1].tolist(), strict=True), exact[2].tolist(), strict=True))
    found = list(zip(first.tolist(), second.tolist(), strict=True))
    assert found and len(set(found)) == len(found) and all(i < j for i, j in found)
    assert all(np.isclose(everything[p], s, atol=1e-6) for p, s in zip(found, scores.tolist(), strict=True))
    near = set()  # (i, j) at most 3 apart in the order of a block: (block, order column, document)
    for block in np.unique(entries[:, 1]):
        rows = sorted(map(tuple, entries[entries[:, 1] == block][:, [2, 0]].tolist()))
        members = [document for _, document in rows]
        near |= {tuple(sorted((a, b))) for k, a in enumerate(members) for b in members[k + 1 : k + 4]}
    assert {p for p in everything if p in near} == set(found)


def test_neighbour_pairs_with_places_keep_what_the_place_test_of_all_pairs_keeps():
    rng = np.random.default_rng(2)
    dense = rng.random((300, 40)) * (rng.random((300, 40)) < 0.15)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    matrix = sp.csr_matrix((dense / np.linalg.norm(dense, axis=1, keepdims=True)).astype(np.float32))
    keys = sp.csr_matrix((rng.random((300, 6)) < 0.2).astype(np.float32))  # about a quarter name no place
    entries = blocking.block_keys(matrix, np.bincount(matrix.indices, minlength=40), keys=2, max_block=60, min_block=2)
    found = neighbour_pairs(matrix, entries, reach=3, threshold=0.3, places=keys, same_place=0.2)
    low = neighbour_pairs(matrix, entries, reach=3, threshold=0.2)
    named = [set(keys[k].indices.tolist()) for k in range(300)]
    expected = [
        (i, j, s)
        for i, j, s in zip(*(a.tolist() for a in low), strict=True)
        if named[i] & named[j] or ((not named[i] or not named[j]) and s >= np.float32(0.3))
    ]
    assert list(zip(*(a.tolist() for a in found), strict=True)) == expected
    assert any(named[i] & named[j] for i, j, _ in expected) and any(s < 0.3 for *_, s in expected)
    assert any(not named[i] or not named[j] for i, j, _ in expected)


def test_problem_words_skip_the_place_and_generic_words_and_follow_title_order():
    vocabulary = ["投诉", "区丽发", "噪音", "搅拌站", "扰民"]
    centroid = np.array([0.9, 0.8, 0.7, 0.6, 0.1])
    titles = ["丽发新城搅拌站噪音扰民", "投诉搅拌站噪音"]
    words = labels.problem_words(centroid, vocabulary, place="丽发新城", titles=titles)
    assert words == ["搅拌站", "噪音"]
    assert labels.label_text("丽发新城", words) == "丽发新城 搅拌站噪音"
    assert labels.label_text("", []) == "（未命名）"


def test_requesters_are_counted_in_the_busiest_stretch_and_growth_needs_history():
    spread = [doc(i, "x", day=i * 60) for i in range(5)]  # five people, one every two months
    burst = [doc(i, "x", day=i) for i in range(5)]
    assert ranking.peak_requesters(spread) == 2 and ranking.peak_requesters(burst) == 5
    again = [doc(i, "x", who="same") for i in range(4)]
    assert ranking.requester_count(again) == 1
    assert ranking.growth(6, 2, has_history=True) == 2.0
    assert ranking.growth(6, 0, has_history=True) == 6.0
    assert ranking.growth(6, 0, has_history=False) is None


NOISE_TOPICS = (
    "公交车晚点", "路灯不亮", "医保报销咨询", "学校招生政策", "垃圾清运不及时", "自来水水压低", "社保卡补办",
    "燃气费账单", "快递丢件", "宠物扰邻", "井盖缺失", "电动车充电", "房屋漏水", "物业维修", "出租车拒载",
)  # fmt: skip


def corpus() -> list[Document]:
    """Five neighbours of 幸福里小区 about night-time construction noise in the window, two in the
    baseline; one person writing five times about 阳光花园 parking fees; noise spread over both."""
    body = "幸福里小区旁边工地夜间施工，噪音很大"
    docs = [doc(100 + i, "幸福里小区夜间施工噪音扰民", body, day=31 + i) for i in range(5)]
    docs += [doc(110 + i, "幸福里小区工地夜间施工噪音", "晚上施工噪音扰民", day=5 + i) for i in range(2)]
    docs += [doc(120 + i, "阳光花园停车位收费过高", "阳光花园停车位收费", day=33 + i, who="same") for i in range(5)]
    docs += [doc(200 + i, topic, "", day=i * 4) for i, topic in enumerate(NOISE_TOPICS)]
    return docs


def test_detection_finds_the_neighbours_hotspot_with_its_growth_and_ignores_one_persons_repeats():
    found = hotspots_detect(corpus(), start=T0 + timedelta(days=30), end=T0 + timedelta(days=60))
    assert len(found) == 1
    hot = found[0]
    assert hot.ids == ["100", "101", "102", "103", "104"]
    assert hot.label.startswith("幸福里小区") and "噪音" in hot.label
    assert (hot.size, hot.requesters, hot.baseline) == (5, 5, 2)
    assert hot.growth == 1.5
    assert hot.first == corpus()[0].time and hot.last == corpus()[4].time
    relaxed = hotspots_detect(corpus(), start=T0 + timedelta(days=30), settings=HotspotSettings(min_requesters=1))
    assert [h.place for h in relaxed] == ["幸福里小区", "阳光花园"]


def test_nothing_to_detect_gives_an_empty_list():
    assert hotspots_detect([]) == []
    assert hotspots_detect(corpus(), start=T0 + timedelta(days=400), end=T0 + timedelta(days=430)) == []

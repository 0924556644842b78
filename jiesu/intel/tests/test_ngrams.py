"""The array-based TF-IDF features of the classifier (`jiesu.intel.ngrams`)."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from jiesu.intel import ngrams
from jiesu.intel.training import intel_train, predict_top

TEXTS = [
    "小区夜间施工噪音扰民，严重影响休息",
    "楼下餐馆油烟直排，噪音扰民",
    "小区路灯长期不亮，夜间出行不便",
    "路灯不亮，请尽快维修",
    "学校门口占道经营，影响交通",
    "夜间施工噪音很大，希望处理",
]


def _key(gram: str) -> int:
    key = 0
    for character in gram:
        key = (key << 21) | ord(character)
    return key


def test_character_block_equals_scikit_learn_tfidf() -> None:
    cleaned = [ngrams.clean(t) for t in TEXTS]
    expected = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, lowercase=False)
    reference = expected.fit_transform(cleaned)
    features = ngrams.NgramFeatures(words=False).fit(TEXTS)
    keys = np.array([_key(g) for g in expected.get_feature_names_out()], dtype=np.uint64)
    columns = np.searchsorted(features.vocabularies_[0], keys)
    assert len(features.vocabularies_[0]) == len(keys)
    assert np.abs(features.transform(TEXTS)[:, columns] - reference).max() < 1e-12


def test_raw_and_segmented_text_give_the_same_row() -> None:
    features = ngrams.NgramFeatures().fit(TEXTS)
    rows = features.transform(["小区夜间施工噪音扰民！", "小区 夜间 施工 噪音 扰民", "小区夜间施工噪音扰民"])
    assert abs(rows[0] - rows[1]).max() == 0
    assert abs(rows[0] - rows[2]).max() == 0


def test_full_width_letters_and_case_are_folded() -> None:
    assert ngrams.clean("Ａ１路 公交，晚点！") == "a1路公交晚点"
    features = ngrams.NgramFeatures(min_df=1).fit(["a1路公交晚点"])
    assert abs(features.transform(["Ａ１路公交晚点"]) - features.transform(["a1路公交晚点"])).max() == 0


def test_words_are_dictionary_words_of_the_training_texts() -> None:
    features = ngrams.NgramFeatures().fit(TEXTS)
    words = features.vocabularies_[1]
    assert np.isin(words, ngrams.dictionary_hashes(2, 4)).all()
    codes, owner, separator = ngrams._codes(["噪音", "施工噪"])
    hashes, _ = ngrams.word_hashes(codes, owner, separator)
    assert np.isin(hashes[:1], words).all()  # 噪音: a word, in two texts
    assert not np.isin(ngrams.word_hashes(*ngrams._codes(["工噪"]))[0], words).any()  # not a word


def test_unknown_and_empty_texts_give_zero_rows() -> None:
    features = ngrams.NgramFeatures().fit(TEXTS)
    rows = features.transform(["", "！？", "㐀㐁㐂"])
    assert rows.shape[0] == 3
    assert rows.nnz == 0


def test_hash_table_finds_every_key_and_misses_others() -> None:
    rng = np.random.default_rng(0)
    vocabulary = np.unique(rng.integers(1, 2**63, size=5000, dtype=np.int64).astype(np.uint64))
    table = ngrams.table_build(vocabulary)
    assert (ngrams.table_find(table, vocabulary) == np.arange(len(vocabulary))).all()
    others = np.setdiff1d(rng.integers(1, 2**63, size=5000, dtype=np.int64).astype(np.uint64), vocabulary)
    assert (ngrams.table_find(table, others) == -1).all()


def test_trained_model_ranks_the_obvious_category_first() -> None:
    texts = TEXTS * 3
    labels = ["环境", "环境", "城建", "城建", "交通", "环境"] * 3
    model = intel_train(texts=texts, labels=labels, folds=0)
    top = predict_top(model, ["晚上施工噪音扰民", "路灯不亮"], k=2)
    assert [row[0][0] for row in top] == ["环境", "城建"]
    assert all(0 < p <= 1 for row in top for _, p in row)

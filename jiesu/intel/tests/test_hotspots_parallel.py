"""A large corpus's path: worker processes and the bounded ranking give what one process and the
full ranking give, on the 4,326 real messages of tipdm2020 cut into small chunks."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
import scipy.sparse as sp

from jiesu.intel.hotspots import HotspotSettings, detect, hotspots_detect, pairs, parallel, timing
from jiesu.intel.hotspots.timing import StageTimes
from jiesu.intel.tests.test_hotspots_real import _documents


def _square(state: np.ndarray, bounds: tuple[int, int]) -> tuple[int, np.ndarray]:
    return os.getpid(), state[bounds[0] : bounds[1]] ** 2


def test_chunks_run_in_forked_workers_that_see_the_state_and_keep_the_order():
    state = np.arange(100)
    chunks = [(low, low + 10) for low in range(0, 100, 10)]
    found = parallel.chunk_map(_square, state, chunks, workers=2)
    assert np.array_equal(np.concatenate([values for _, values in found]), state**2)
    assert os.getpid() not in {pid for pid, _ in found}  # computed in the workers
    serial = parallel.chunk_map(_square, state, chunks, workers=1)
    assert {pid for pid, _ in serial} == {os.getpid()}
    assert parallel._STAGE is None  # not left behind for a later fork


def _stamp(state: np.ndarray, bounds: tuple[int, int]) -> None:
    state[bounds[0] : bounds[1]] = os.getpid()


def test_workers_write_their_results_into_a_shared_array_the_parent_reads():
    shared = parallel.shared_array(10, np.int64)
    assert shared.tolist() == [0] * 10
    parallel.chunk_map(_stamp, shared, [(0, 5), (5, 10)], workers=2)
    assert (shared != 0).all() and os.getpid() not in set(shared.tolist())


_PREPARED: list[int] = []


def _prepare() -> None:
    _PREPARED.append(os.getpid())


def _where(state: int, argument: int) -> tuple[int, list[int], int]:
    if argument < 0:
        raise ValueError("负数")
    return os.getpid(), list(_PREPARED), state + argument


def test_a_call_ahead_is_prepared_and_computed_in_a_forked_process():
    with parallel.Ahead(_where, 40, prepare=_prepare, enabled=True) as ahead:
        ahead.ask(2)
        pid, prepared, value = ahead.result()
    assert value == 42 and pid != os.getpid() and prepared == [pid]  # prepared there, not here
    assert not _PREPARED
    with parallel.Ahead(_where, 40, enabled=True) as ahead:  # nothing to prepare
        ahead.ask(1)
        assert ahead.result()[1:] == ([], 41)
    with parallel.Ahead(_where, 40, enabled=True) as ahead, pytest.raises(ValueError, match="负数"):
        ahead.ask(-1)
        ahead.result()
    with parallel.Ahead(_where, 40, prepare=_prepare, enabled=True):
        pass  # never asked: the process ends with the block
    with parallel.Ahead(_where, 1, prepare=_prepare, enabled=False) as ahead:
        ahead.ask(1)
        assert ahead.result() == (os.getpid(), [os.getpid()], 2)
    _PREPARED.clear()


def test_objects_stay_frozen_until_the_outermost_block_ends():
    import gc

    assert gc.get_freeze_count() == 0
    with parallel.frozen():
        kept = gc.get_freeze_count()
        with parallel.frozen():
            pass
        assert kept > 0 and gc.get_freeze_count() >= kept  # the inner block left the outer's frozen
        parallel.chunk_map(_square, np.arange(4), [(0, 2), (2, 4)], workers=2)
        assert gc.get_freeze_count() >= kept
    assert gc.get_freeze_count() == 0


def test_pair_cosines_in_chunks_on_two_workers_equal_one_pass():
    rng = np.random.default_rng(3)
    dense = rng.random((60, 30)) * (rng.random((60, 30)) < 0.3)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    matrix = sp.csr_matrix((dense / np.linalg.norm(dense, axis=1, keepdims=True)).astype(np.float32))
    first, second = np.triu_indices(60, k=1)
    cosines = pairs.pair_cosines(matrix, first.astype(np.int64), second.astype(np.int64), chunk=97, workers=2)
    assert np.allclose(cosines, (dense @ dense.T / np.outer(*[np.linalg.norm(dense, axis=1)] * 2))[first, second])


@pytest.fixture(scope="module")
def documents():
    return _documents()


def test_two_workers_on_small_chunks_find_the_same_hotspots(documents, monkeypatch):
    settings = HotspotSettings(exact_limit=0)  # the blocked path: pairs and cosines in chunks
    alone = hotspots_detect(documents, settings=settings, limit=10)
    monkeypatch.setattr(detect, "CHUNK_DOCUMENTS", 500)  # nine chunks of documents
    together = hotspots_detect(documents, settings=settings, limit=10, workers=2)
    assert [(h.label, h.ids, h.score) for h in together] == [(h.label, h.ids, h.score) for h in alone]


def test_the_bounded_ranking_returns_the_head_of_the_full_ranking(documents):
    everything = hotspots_detect(documents)
    assert len(everything) > 20
    for limit in (1, 5, 20):
        head = hotspots_detect(documents, limit=limit)
        assert [(h.ids, h.score) for h in head] == [(h.ids, h.score) for h in everything[:limit]]


def test_each_stage_of_the_blocked_path_is_timed_within_the_detection(documents):
    times = StageTimes()
    started = time.perf_counter()
    found = hotspots_detect(documents, settings=HotspotSettings(exact_limit=0), limit=5, workers=2, times=times)
    elapsed = time.perf_counter() - started
    assert found
    assert list(times) == [
        "facts", "tfidf", "blocks", "candidates", "pairs", "unplaced", "components", "trimming", "ranking", "labels"
    ]  # fmt: skip
    assert all(seconds >= 0 for seconds in times.values())
    assert sum(times.values()) <= elapsed
    assert [line.split("\t")[0] for line in times.lines()] == [timing.STAGE_NAMES[name] for name in times]


def test_a_small_corpus_compares_all_pairs_and_has_no_candidate_stage(documents):
    times = StageTimes()
    hotspots_detect(documents[:500], limit=5, times=times)
    assert "candidates" not in times and {"facts", "pairs", "components", "labels"} <= set(times)


def test_a_stage_run_twice_is_summed_and_an_unknown_stage_is_refused():
    times = StageTimes()
    for _ in range(2):
        with times.stage("ranking"):
            time.sleep(0.01)
    assert times["ranking"] >= 0.02 and list(times) == ["ranking"]
    with pytest.raises(ValueError, match="sorting"), times.stage("sorting"):
        pass

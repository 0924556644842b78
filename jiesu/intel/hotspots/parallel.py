"""The chunks of a stage computed on several processes.

The stages of a large corpus (n-grams and places of each document, the pairs of each block chunk,
the cosines of each pair chunk) are independent per chunk, numpy-bound or Python-bound, and a
million tickets keep one core busy for a minute. Workers are forked, so they see the stage's
arrays without copying them; only each chunk's result travels back, or nothing when the workers
write into a `shared_array`. Between parallel stages the parent works alone; `Ahead` forks one
process that uses the other core meanwhile for work needed later (place keys, labels). Callers ask
for workers explicitly (the CLI, the scheduled jobs, the benchmark): a web request never forks.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import mmap
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

Result = TypeVar("Result")

_STAGE: tuple[Callable[[Any, Any], Any], Any] | None = None  # what forked workers run
_FROZEN = 0  # depth of `frozen` blocks
_KEPT = False  # `_keep_freed_memory` done in this (worker) process
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4  # glibc's mallopt parameters


def available_workers() -> int:
    """The processors this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def chunk_map(
    function: Callable[[Any, Any], Result], state: Any, chunks: Sequence[Any], *, workers: int
) -> list[Result]:
    """`[function(state, chunk) for chunk in chunks]`, in order, on up to `workers` processes.

    `state` (large arrays, the documents) is inherited by the forked workers; `chunks` (small:
    bounds) and the results are pickled."""
    global _STAGE
    workers = min(workers, len(chunks))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(state, chunk) for chunk in chunks]
    _STAGE = (function, state)
    try:
        # a worker's collector would walk (and so copy, page by page) the parent's objects
        with frozen():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                return list(pool.map(_run, chunks))
    finally:
        _STAGE = None


def _keep_freed_memory() -> None:
    """Large blocks a worker frees stay in its heap for its next chunk's temporaries (glibc would
    hand them back to the kernel): memory a process touches for the first time is dear on virtual
    machines (`detect`), and a worker is short-lived. Halves the workers' system time."""
    global _KEPT
    if _KEPT:
        return
    _KEPT = True
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_MAX, 0)
        libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)  # an int: the largest it takes
    except (OSError, AttributeError):  # not glibc: its defaults stand
        pass


class Ahead(Generic[Result]):
    """One call computed in a process forked now, on the core that the parent's serial stages
    leave idle: it runs `prepare()` at once (loading a dictionary), waits for the argument `ask`
    sends, and `result()` returns `work(state, argument)`, which it computed. Not `enabled` (one
    worker, or no fork), `result` runs both in this process. A context manager: leaving it ends
    the process, if it is still waiting."""

    def __init__(
        self,
        work: Callable[[Any, Any], Result],
        state: Any,
        *,
        prepare: Callable[[], Any] | None = None,
        enabled: bool,
    ) -> None:
        self._work, self._state, self._prepare = work, state, prepare
        self._argument: Any = None
        self._process: Any = None
        if enabled and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._connection, theirs = context.Pipe()
            self._process = context.Process(target=_ahead, args=(prepare, work, state, theirs), daemon=True)
            self._process.start()
            theirs.close()

    def ask(self, argument: Any = None) -> None:
        if self._process is None:
            self._argument = argument
        else:
            self._connection.send(argument)

    def result(self) -> Result:
        if self._process is None:
            if self._prepare is not None:
                self._prepare()
            return self._work(self._state, self._argument)
        done, value = self._connection.recv()
        if not done:
            raise value
        return value  # type: ignore[no-any-return]

    def __enter__(self) -> Ahead[Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._connection.close()
            self._process.join(timeout=1)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()


def _ahead(prepare: Callable[[], Any] | None, work: Callable[[Any, Any], Any], state: Any, connection: Any) -> None:
    gc.disable()  # as in `_run`
    try:
        if prepare is not None:
            prepare()
        argument = connection.recv()
        connection.send((True, work(state, argument)))
    except EOFError:  # the parent left without asking
        pass
    except Exception as error:
        connection.send((False, error))
    finally:
        connection.close()


def shared_array(length: int, dtype: type[Any]) -> npt.NDArray[Any]:
    """A zero-filled array in memory shared with the workers forked after it is made: what they
    write into it the parent sees, with nothing pickled or copied back."""
    size = max(length * np.dtype(dtype).itemsize, 1)
    return np.frombuffer(mmap.mmap(-1, size), dtype=dtype, count=length)


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """The objects that exist now are left out of garbage collection until the outermost block
    ends: a full collection walks every object, and a million documents take 0.2–1 s each time
    (`gc.freeze`)."""
    global _FROZEN
    gc.freeze()
    _FROZEN += 1
    try:
        yield
    finally:
        _FROZEN -= 1
        if not _FROZEN:
            gc.unfreeze()


def _run(chunk: Any) -> Any:
    assert _STAGE is not None, "chunk_map sets the stage before forking"
    function, state = _STAGE
    # A chunk's objects (sets of places, arrays) hold no cycles: reference counting frees them, and
    # collections triggered by their number only cost time (≈ 5 % of the facts stage).
    gc.disable()
    _keep_freed_memory()
    try:
        return function(state, chunk)
    finally:
        gc.enable()

"""One executor abstraction for replicate chunks: serial, local processes or Dask.

This is the only module of :mod:`mrdguide.simulate` that imports ``concurrent.futures`` or
Dask. Results never depend on the executor: every replicate gets its own child of
``SeedSequence(entropy).spawn(n)`` and chunk results are put back in submission order.

Dask: ``make_executor("dask", scheduler="tcp://host:8786")`` connects to a running cluster; with
no address it starts a ``LocalCluster``. The address comes from the caller (the CLI and services
read it once from :class:`mrdguide.settings.Settings`); this module reads no environment.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, Literal, Protocol, TypeVar

from mrdguide.errors import InputError

#: glibc ``mallopt`` parameters and the values :func:`tune_malloc` sets.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 64 << 20
TRIM_THRESHOLD_BYTES = 256 << 20

#: Dask settings for a LocalCluster this module starts. Dask's statistical profiler samples
#: every task thread's stack each 10 ms, and a 20 ms event-loop tick and a 0.5 s system
#: monitor run in each worker and in this process: idle, a 2-worker cluster used ~15% of a core
#: (measured), which on a 2-core machine comes straight out of the workers' share. Replicate
#: chunks need none of it (task timings still reach the scheduler).
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}

ExecutorKind = Literal["serial", "processes", "dask"]
EXECUTOR_KINDS: tuple[str, ...] = ("serial", "processes", "dask")
T = TypeVar("T")
R = TypeVar("R")
ChunkDone = Callable[[int], None]


class ChunkExecutor(Protocol):
    """Maps a function over chunks and returns the results in chunk order."""

    kind: str

    def map_chunks(
        self, fn: Callable[[T], R], chunks: Sequence[T], on_done: ChunkDone | None = None
    ) -> list[R]:
        """Apply ``fn`` to every chunk; call ``on_done(i)`` as chunk ``i`` finishes."""
        ...

    def close(self) -> None:
        """Release workers (no-op for serial)."""
        ...


def tune_malloc() -> bool:
    """Let glibc keep freed NumPy temporaries in the heap (run in worker processes we start).

    A replicate chunk allocates and frees arrays of 0.1-2 MB thousands of times. glibc serves
    blocks above its mmap threshold (128 KiB unless it adapts) with ``mmap``, so each such
    array costs fresh page faults; Dask's nanny makes that permanent by starting workers with
    ``MALLOC_TRIM_THRESHOLD_=65536`` (which also disables glibc's adaptive threshold), and the
    trial kernel then runs about 1.7x slower than in a plain process. Raising the mmap
    threshold to 64 MiB and the trim threshold to 256 MiB removes that cost; a worker keeps at
    most a few hundred MB of freed heap. Returns False (and changes nothing) off glibc.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt: Any = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    return bool(ok and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1)


class SerialExecutor:
    """Runs chunks one after another in this process (tests, debugging)."""

    kind = "serial"

    def map_chunks(
        self, fn: Callable[[T], R], chunks: Sequence[T], on_done: ChunkDone | None = None
    ) -> list[R]:
        """Apply ``fn`` to every chunk in order."""
        out = []
        for i, c in enumerate(chunks):
            out.append(fn(c))
            if on_done is not None:
                on_done(i)
        return out

    def close(self) -> None:
        """Nothing to release."""


def _collect(futures: dict[Any, int], n: int, on_done: ChunkDone | None, done: Any) -> list[Any]:
    results: list[Any] = [None] * n
    for fut in done(list(futures)):
        i = futures[fut]
        results[i] = fut.result()
        if on_done is not None:
            on_done(i)
    return results


class ProcessExecutor:
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``)."""

    kind = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=tune_malloc)

    def map_chunks(
        self, fn: Callable[[T], R], chunks: Sequence[T], on_done: ChunkDone | None = None
    ) -> list[R]:
        """Submit every chunk and gather the results in chunk order."""
        futures: dict[Future[R], int] = {self._pool.submit(fn, c): i for i, c in enumerate(chunks)}
        return _collect(futures, len(chunks), on_done, as_completed)

    def close(self) -> None:
        """Shut the pool down."""
        self._pool.shutdown(wait=True)


class DaskExecutor:
    """A Dask ``distributed.Client`` (remote scheduler or a LocalCluster).

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``); callers take it
    from :class:`mrdguide.settings.Settings` (``MRDGUIDE_DASK_SCHEDULER`` or Dask's own
    ``DASK_SCHEDULER_ADDRESS``). Without one a local cluster is started with
    :data:`LOCAL_CLUSTER_CONFIG`, and its workers get :func:`tune_malloc`. Workers of a remote
    cluster are left as their owner configured them (for full speed start them with the
    environment in ``docs/simulation.md#performance``).
    """

    kind = "dask"

    def __init__(
        self, scheduler: str | None = None, workers: int | None = None, processes: bool = True
    ) -> None:
        dist: Any = importlib.import_module("distributed")
        dask: Any = importlib.import_module("dask")
        address = scheduler or None
        self._cluster: Any = None
        if address:
            self.client: Any = dist.Client(address)
        else:
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                self._cluster = dist.LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,  # no Bokeh server: faster start-up, less CPU
                )
                self.client = dist.Client(self._cluster)
            self.client.wait_for_workers(len(self._cluster.workers))
            self.client.run(tune_malloc)
        self.address = address or "LocalCluster"

    def map_chunks(
        self, fn: Callable[[T], R], chunks: Sequence[T], on_done: ChunkDone | None = None
    ) -> list[R]:
        """Submit every chunk as a task (``pure=False``) and gather in chunk order."""
        dask_as_completed = importlib.import_module("distributed").as_completed
        futures = {self.client.submit(fn, c, pure=False): i for i, c in enumerate(chunks)}
        return _collect(futures, len(chunks), on_done, dask_as_completed)

    def close(self) -> None:
        """Close the client and any LocalCluster this executor started."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(
    kind: str,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    processes: bool = True,
) -> ChunkExecutor:
    """Build an executor.

    Parameters
    ----------
    kind : {"serial", "processes", "dask"}
    workers : int, optional
        Worker processes (``processes``) or LocalCluster workers (``dask``); default: CPU count.
    scheduler : str, optional
        Dask scheduler address such as ``tcp://host:8786``; default a LocalCluster.
    processes : bool
        LocalCluster only: worker processes (True) or threads in this process (False).
    """
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(scheduler, workers, processes)
    raise InputError(
        f"executor must be one of {EXECUTOR_KINDS}; got {kind!r}.", field="executor", value=kind
    )


@contextmanager
def executor(kind: str, **kwargs: Any) -> Iterator[ChunkExecutor]:
    """``with executor("dask") as ex: ...`` closes the workers afterwards."""
    ex = make_executor(kind, **kwargs)
    try:
        yield ex
    finally:
        ex.close()

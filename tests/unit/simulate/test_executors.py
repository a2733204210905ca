"""The same trial gives identical summaries on every executor."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.simulate import executor, make_executor, run_replicates, run_trial, trial_design
from mrdguide.simulate.trials import summarise


@pytest.fixture(scope="module")
def serial():  # type: ignore[no-untyped-def]
    return run_replicates(trial_design("asan", patients=200), 8, seed=21, chunk_size=8)


@pytest.mark.parametrize("chunk_size", [1, 3])
def test_chunk_size_does_not_change_results(serial, chunk_size: int) -> None:  # type: ignore[no-untyped-def]
    """Replicate i always uses child i of the SeedSequence, whatever the chunking.

    A chunk is simulated and analyzed as one batch, so this also checks that a replicate's
    numbers do not depend on the other replicates in its batch (chunk_size=1: a batch of one).
    """
    again = run_replicates(trial_design("asan", patients=200), 8, seed=21, chunk_size=chunk_size)
    assert repr(again) == repr(serial)  # bit for bit (repr also tells -0.0 from 0.0)


def test_a_chunk_carries_seed_numbers_not_seed_objects() -> None:
    """Chunk(seed, start, stop) rebuilds exactly children start..stop-1 of SeedSequence(seed)."""
    from mrdguide.simulate.trials import Chunk

    children = np.random.SeedSequence(21).spawn(8)
    chunk = Chunk(trial_design("asan", patients=200), 21, 3, 7)
    assert len(chunk) == 4
    for a, b in zip(chunk.seeds(), children[3:7], strict=True):
        assert a.spawn_key == b.spawn_key and a.entropy == b.entropy
        np.testing.assert_array_equal(a.generate_state(8), b.generate_state(8))


def test_trial_submits_design_and_null_together(serial) -> None:  # type: ignore[no-untyped-def]
    """run_trial's single submission gives the replicates of two separate runs, in order."""
    design = trial_design("asan", patients=200)
    seen: list[tuple[int, int]] = []
    res = run_trial(design, 8, seed=21, chunk_size=3, progress=lambda d, t: seen.append((d, t)))
    null = run_replicates(design.null(), 8, seed=21, chunk_size=8)
    assert res == summarise(design, serial, null, seed=21)
    assert seen[-1] == (16, 16)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_local_workers_get_the_malloc_tuning() -> None:
    """tune_malloc applies on glibc (Linux) and is a harmless no-op elsewhere."""
    import sys

    from mrdguide.simulate.executors import tune_malloc

    assert tune_malloc() is sys.platform.startswith("linux")


def test_two_local_processes_match_serial(serial) -> None:  # type: ignore[no-untyped-def]
    """ProcessPoolExecutor with 2 workers returns identical summaries, in order."""
    seen: list[int] = []
    with executor("processes", workers=2) as ex:
        out = run_replicates(
            trial_design("asan", patients=200),
            8,
            seed=21,
            chunk_size=2,
            executor=ex,
            progress=lambda done, total: seen.append(done),
        )
    assert out == serial
    assert seen[-1] == 8
    assert seen == sorted(seen)


@pytest.mark.slow
def test_dask_local_cluster_matches_serial(serial) -> None:  # type: ignore[no-untyped-def]
    """A Dask LocalCluster (2 worker processes) returns identical summaries."""
    pytest.importorskip("distributed")
    with executor("dask", workers=2, processes=True) as ex:
        out = run_replicates(
            trial_design("asan", patients=200), 8, seed=21, chunk_size=2, executor=ex
        )
    assert out == serial


def test_dask_scheduler_address_from_settings() -> None:
    """An unreachable scheduler address from the settings is used (and fails), not ignored."""
    pytest.importorskip("distributed")
    import dask

    from mrdguide.settings import Settings

    settings = Settings.from_env({"DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:1"})
    timeouts = {"distributed.comm.timeouts.connect": "1s"}
    with dask.config.set(timeouts), pytest.raises(OSError, match=r"127\.0\.0\.1:1"):
        make_executor("dask", scheduler=settings.dask_scheduler)


def test_unknown_executor_is_rejected() -> None:
    """Only serial, processes and dask exist."""
    with pytest.raises(InputError):
        make_executor("ray")


def test_dask_threads_in_process_match_serial(serial) -> None:  # type: ignore[no-untyped-def]
    """A Dask LocalCluster with in-process workers (processes=False) matches too."""
    pytest.importorskip("distributed")
    with executor("dask", workers=2, processes=False) as ex:
        out = run_replicates(
            trial_design("asan", patients=200), 8, seed=21, chunk_size=4, executor=ex
        )
    assert out == serial

"""The same trial gives identical summaries on every executor."""

from __future__ import annotations

import pytest

from mrdguide.errors import InputError
from mrdguide.simulate import executor, make_executor, run_replicates, trial_design


@pytest.fixture(scope="module")
def serial():  # type: ignore[no-untyped-def]
    return run_replicates(trial_design("asan", patients=200), 8, seed=21, chunk_size=8)


def test_chunk_size_does_not_change_results(serial) -> None:  # type: ignore[no-untyped-def]
    """Replicate i always uses child i of the SeedSequence, whatever the chunking."""
    again = run_replicates(trial_design("asan", patients=200), 8, seed=21, chunk_size=3)
    assert again == serial


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

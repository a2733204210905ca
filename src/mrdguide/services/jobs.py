"""Background jobs of the web app (in-silico trials, cohort reports) with progress.

A job runs on a small thread pool (one worker by default), so a long job never blocks a
request: the request that starts it returns at once with the job's id, and the page polls
:meth:`JobManager.get` for progress. An in-silico trial inside a job runs on the existing
executors (:func:`mrdguide.services.simulate.run_trial_request`), which put the replicates on
worker processes. Jobs live in memory, for the life of the server process.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Literal

from mrdguide.errors import MRDGuideError, NotFoundError, outcome_of

__all__ = ["Job", "JobManager", "JobState", "Progress"]

JobState = Literal["queued", "running", "done", "failed"]
#: ``progress(done, total)``, called by the job's work.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A snapshot of one job."""

    id: str
    kind: str
    owner: str
    title: str
    created: dt.datetime
    state: JobState = "queued"
    done: int = 0
    total: int = 0
    error: str | None = None
    result: Any = None

    @property
    def percent(self) -> int:
        """Progress in whole percent (100 once done)."""
        if self.state == "done":
            return 100
        return 0 if self.total <= 0 else min(99, int(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        """Whether the job has ended (done or failed)."""
        return self.state in ("done", "failed")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready status (without the result)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "owner": self.owner,
            "created": self.created.isoformat(),
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "error": self.error,
        }


class JobManager:
    """Runs jobs on a thread pool and keeps their status (newest ``keep`` jobs).

    Parameters
    ----------
    workers : int, optional
        Jobs that run at once (default 1; more wait in the queue).
    keep : int, optional
        Finished jobs kept for their results.
    clock : callable, optional
        UTC time of job creation.
    """

    def __init__(
        self,
        *,
        workers: int = 1,
        keep: int = 50,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mrdguide-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            if job_id in self._jobs:
                self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def _run(self, job_id: str, work: Callable[[Progress], Any]) -> None:
        self._update(job_id, state="running")
        try:
            result = work(lambda done, total: self._update(job_id, done=done, total=total))
        except (MRDGuideError, ValueError, OSError, ArithmeticError) as exc:
            self._update(job_id, state="failed", error=f"{outcome_of(exc).code}: {exc}")
            return
        except Exception as exc:
            self._update(job_id, state="failed", error=f"internal error: {type(exc).__name__}")
            return
        self._update(job_id, state="done", result=result)

    def _prune(self) -> None:
        done = [j for j in self._jobs.values() if j.finished]
        for j in sorted(done, key=lambda j: j.created)[: max(0, len(done) - self._keep)]:
            del self._jobs[j.id]

    def submit(
        self, *, kind: str, owner: str, title: str, total: int, work: Callable[[Progress], Any]
    ) -> Job:
        """Queue ``work(progress)`` and return the job at once."""
        job = Job(
            id=secrets.token_urlsafe(12),
            kind=kind,
            owner=owner,
            title=title,
            created=self._clock(),
            total=total,
        )
        with self._lock:
            self._prune()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job.id, work)
        return job

    def get(self, job_id: str, *, owner: str) -> Job:
        """The job ``job_id`` of ``owner``.

        Raises
        ------
        NotFoundError
            If there is no such job, or it belongs to someone else.
        """
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFoundError(f"no job {job_id!r}")
        return job

    def list(self, *, owner: str) -> list[Job]:
        """The owner's jobs, newest first."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.owner == owner]
        return sorted(jobs, key=lambda j: j.created, reverse=True)

    def wait(self, job_id: str, *, owner: str, timeout: float = 60.0) -> Job:
        """Block until the job ends (tests and scripts only; never in a request)."""
        end = threading.Event()
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=timeout)
        while dt.datetime.now(dt.UTC) < deadline:
            job = self.get(job_id, owner=owner)
            if job.finished:
                return job
            end.wait(0.05)
        return self.get(job_id, owner=owner)

    def shutdown(self) -> None:
        """Stop taking jobs; running ones finish in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)

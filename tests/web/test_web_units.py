"""Units of the web layer: limits, pending previews, jobs, the model cache, chart geometry."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from mrdguide.errors import InputError, NotFoundError
from mrdguide.reports.figures import TrajectoryPoint
from mrdguide.services import Workspace
from mrdguide.services.assay_upload import display_name
from mrdguide.services.jobs import JobManager
from mrdguide.services.mrd import Sample, flow_from_counts
from mrdguide.services.mrd_words import decision_lines
from mrdguide.services.registry import import_files
from mrdguide.services.relapse_cache import RelapseModelCache, data_state
from mrdguide.web.charts import trajectory_chart
from mrdguide.web.core.middleware import _multipart_field
from mrdguide.web.core.ratelimit import PendingStore, SlidingWindowLimiter
from mrdguide.web.routes.auth import safe_next

from ._web import COHORT


def test_limiter_allows_rate_per_window_then_recovers() -> None:
    now = [0.0]
    lim = SlidingWindowLimiter(3, 60.0, clock=lambda: now[0])
    assert [lim.hit("a") for _ in range(4)] == [True, True, True, False]
    assert lim.hit("b")
    now[0] = 61.0
    assert lim.hit("a")


def test_pending_store_is_per_owner_and_expires() -> None:
    now = [0.0]
    store: PendingStore[str] = PendingStore(ttl=10, clock=lambda: now[0])
    key = store.put("lab", "x")
    assert store.get(key, "lab2") is None and store.get(key, "lab") == "x"
    now[0] = 11
    assert store.get(key, "lab") is None


def test_job_manager_runs_reports_progress_and_keeps_failures() -> None:
    jobs = JobManager()
    gate = threading.Event()

    def work(progress: Any) -> int:
        progress(1, 2)
        gate.wait(5)
        return 42

    job = jobs.submit(kind="k", owner="a", title="t", total=2, work=work)
    with pytest.raises(NotFoundError):
        jobs.get(job.id, owner="b")
    gate.set()
    done = jobs.wait(job.id, owner="a")
    assert (done.state, done.result, done.percent) == ("done", 42, 100)

    def bad(_progress: Any) -> None:
        raise InputError("no", field="f", value=1, rule="r")

    failed = jobs.wait(jobs.submit(kind="k", owner="a", title="t", total=1, work=bad).id, owner="a")
    assert failed.state == "failed" and "invalid_input" in (failed.error or "")
    jobs.shutdown()


def test_model_cache_refits_only_when_the_data_change(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    fits: list[int] = []

    def fake_fit(cases: list[Any], **_kw: Any) -> None:
        fits.append(len(cases))

    monkeypatch.setattr("mrdguide.services.relapse_cache.fit_genotype_model", fake_fit)
    cache = RelapseModelCache(lambda: workspace.registry(actor="t"), version="x",
                              background=False)  # fmt: skip
    reg = workspace.registry(actor="t")
    s1 = data_state(reg)
    assert cache.status(s1).current and cache.status(s1).model is not None
    assert fits == [40]
    reg.users.record_login("lab", ok=True, lock_after=5, lock_for=dt.timedelta(1))
    assert data_state(reg) == s1  # a sign-in does not change patient data
    import_files(workspace.registry(actor="t"), [COHORT])  # unchanged: no new audit record
    assert data_state(reg) == s1
    cache.status(s1 + 1)
    assert fits == [40, 40]


def test_model_cache_in_background_answers_at_once_with_the_old_model(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()

    def slow_fit(cases: list[Any], **_kw: Any) -> None:
        gate.wait(5)

    monkeypatch.setattr("mrdguide.services.relapse_cache.fit_genotype_model", slow_fit)
    cache = RelapseModelCache(lambda: workspace.registry(actor="t"), version="x")
    first = cache.status(1)
    assert first.model is None and first.fitting and not first.current
    gate.set()
    cache.wait(5)
    assert cache.status(1).current
    gate.clear()
    second = cache.status(2)
    assert second.model is not None and second.model.state == 1 and not second.current
    gate.set()
    cache.wait(5)


def test_trajectory_draws_negatives_at_their_sensitivity_on_a_log_scale() -> None:
    pts = [
        TrajectoryPoint(label="eoi", day=33, value=1e-3, negative=False, sensitivity=1e-5),
        TrajectoryPoint(label="eoc", day=78, value=1e-4, negative=True, sensitivity=1e-4),
    ]
    chart = trajectory_chart(pts)
    assert chart is not None
    pos, neg = chart.points
    assert neg.negative and neg.sens_y == neg.y  # drawn at its limit
    ticks = {t: y for y, t in chart.y_ticks}
    assert ticks["0.01%"] == pytest.approx(neg.y)
    assert ticks["0.1%"] == pytest.approx(pos.y)
    assert ticks["0.1%"] - ticks["0.01%"] == pytest.approx(ticks["0.01%"] - ticks["0.001%"])
    assert trajectory_chart([]) is None


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\plate.csv", "plate.csv"),
        ("a<b>.csv", "a_b_.csv"),
        ("", "upload"),
    ],
)
def test_display_name_keeps_only_a_printable_base_name(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("/patients", True),
        ("//evil", False),
        ("https://x", False),
        ("/a\\b", False),
        ("/x\nLocation: y", False),
        ("", False),
    ],
)
def test_safe_next(value: str, ok: bool) -> None:
    assert (safe_next(value) == value) is ok


def test_multipart_field_reads_the_token_and_skips_files() -> None:
    body = (b"--B\r\nContent-Disposition: form-data; name=\"plate\"; filename=\"x\"\r\n\r\n"
            b"csrftoken-in-a-file\r\n--B\r\nContent-Disposition: form-data; name=\"csrftoken\""
            b"\r\n\r\ntok-en-\r\n--B--\r\n")  # fmt: skip
    assert _multipart_field(body, "multipart/form-data; boundary=B", "csrftoken") == "tok-en-"
    assert _multipart_field(body, "multipart/form-data; boundary=B", "other") is None


@pytest.mark.parametrize(
    ("events", "words"),
    [(5, "negative below"), (30, "not quantifiable"), (80, "positive, quantifiable")],
)
def test_flow_decision_in_words(events: int, words: str) -> None:
    out = flow_from_counts(events=events, cells=500_000, lod_events=20, lloq_events=50,
                           sample=Sample())  # fmt: skip
    assert words in decision_lines(out.to_dict())[0]

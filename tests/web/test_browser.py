"""The app in a real browser: Debian's Chromium driven by Playwright, against uvicorn on a loopback
port in a thread.

These tests never skip: ``make test`` installs ``chromium`` with apt when it is missing, and a
missing browser fails loudly. ``MRDGUIDE_WEB_SCREENSHOTS=1`` also writes every page, at 1280 px
and at 390 px (phone), to ``docs/img/web-*.png``; otherwise they go to a temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import expect

from mrdguide.domain import MRDMeasurement, MRDMethod, MRDStatus, ReviewAction, Timepoint, Tissue
from mrdguide.domain.mrd import MRDLevel
from mrdguide.services import Workspace, open_workspace
from mrdguide.settings import Settings
from mrdguide.web import create_app

from ._web import password_of, web_settings

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
WIDTHS = (1280, 390)


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 and an ephemeral port, in a thread."""

    def __init__(self, app: FastAPI, ws: Workspace) -> None:
        self.ws = ws
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)  # fmt: skip

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def _serve(template_path: Path, tmp: Path, **web: Any) -> Iterator[LiveServer]:
    path = tmp / "registry.sqlite"
    shutil.copy(template_path, path)
    url = f"sqlite:///{path}"
    with open_workspace(Settings(database_url=url), url=url) as ws:
        app = create_app(ws.settings, workspace=ws, web=web_settings(**web), warm=False)
        with LiveServer(app, ws) as server:
            yield server


@pytest.fixture(scope="module")
def live(template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from _serve(template.path, tmp_path_factory.mktemp("live"))


@pytest.fixture
def open_page(browser: Any, live: LiveServer) -> Iterator[Callable[..., Any]]:
    """Open a new browser context (own cookies) at a width; pages record console errors."""
    contexts: list[Any] = []

    def make(width: int = 1280, base: str | None = None) -> Any:
        ctx = browser.new_context(viewport={"width": width, "height": 900},
                                  base_url=base or live.url)  # fmt: skip
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def sign_in(page: Any, name: str, path: str = "/") -> None:
    page.goto(path)
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password_of(name))
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_lab_enters_a_result_a_second_user_authorises_the_clinician_sees_the_new_group(
    open_page: Callable[..., Any],
) -> None:
    clin = open_page()
    sign_in(clin, "clinician", "/patients/SYN-0002")
    first = clin.locator("table.risk tr.primary").inner_text()
    assert "medium risk" in first

    lab = open_page()
    sign_in(lab, "lab", "/lab?patient=SYN-0002")
    form = lab.locator("section#flow form")
    form.locator("select[name=timepoint]").select_option("eoc")
    form.locator("input[name=day]").fill("78")
    form.locator("input[name=events]").fill("600")
    form.locator("input[name=cells]").fill("200000")
    form.locator("button[type=submit]").click()
    assert "positive, quantifiable" in lab.locator("#result").inner_text()
    lab.click("text=Save as draft")
    assert "saved eoc/bm/flow version 1 as draft" in lab.locator("p.ok").inner_text()
    lab.click("text=Submit for review")
    assert "submitted eoc/bm/flow version 1 for review" in lab.locator("p.ok").inner_text()

    clin.reload()
    assert "medium risk" in clin.locator("table.risk tr.primary").inner_text()
    assert "submitted" in clin.locator("table.pending").inner_text()

    rev = open_page()
    sign_in(rev, "reviewer", "/review")
    item = rev.locator("section.queue-item", has_text="SYN-0002")
    item.locator("button", has_text="Authorise").click()
    assert "authorised" in rev.locator("p.ok").inner_text()

    clin.reload()
    row = clin.locator("table.risk tr.primary").inner_text()
    assert "high risk" in row
    assert "end-of-consolidation MRD 0.3% ≥ 0.1% → high risk" in row
    deciding = clin.locator("#trace-aieop-bfm-all-2000 li.deciding").all_inner_texts()
    assert any("end-of-consolidation MRD ≥ 0.1% (observed 0.3%) → met" in t for t in deciding)
    assert clin.errors == [] and lab.errors == [] and rev.errors == []


def test_wrong_role_is_refused(open_page: Callable[..., Any]) -> None:
    page = open_page()
    sign_in(page, "lab", "/patients/SYN-0001")
    assert "not allowed for your role" in page.locator("main").inner_text().lower()
    assert "Age at diagnosis" not in page.content()
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403


def test_session_expires(
    browser: Any, template: Any, tmp_path: Path, open_page: Callable[..., Any]
) -> None:
    for server in _serve(template.path, tmp_path, session_seconds=2):
        page = open_page(base=server.url)
        sign_in(page, "clinician", "/patients")
        assert page.url.endswith("/patients")
        time.sleep(3)
        page.reload()
        assert re.search(r"/login\?next=/patients$", page.url)


def test_csrf_protected_forms_work_without_script_and_with_htmx(
    open_page: Callable[..., Any],
) -> None:
    """The patient search runs through htmx (header token); sign-out is a plain form."""
    page = open_page()
    sign_in(page, "clinician", "/patients")
    page.fill("input[name=q]", "SYN-003")
    expect(page.locator("#patient-list tbody tr")).to_have_count(10)
    expect(page).to_have_url(re.compile(r"/patients\?q=SYN-003$"))
    page.click("text=Sign out")
    assert "/login" in page.url


PAGES: dict[str, tuple[str, str]] = {
    "login": ("", "/login"),
    "patients": ("clinician", "/patients"),
    "patient": ("clinician", "/patients/SYN-0005"),
    "lab": ("lab", "/lab?patient=SYN-0005"),
    "review": ("reviewer", "/review"),
    "cohort": ("statistician", "/cohort"),
    "admin-users": ("admin", "/admin/users"),
    "audit": ("admin", "/admin/audit?limit=30"),
}


def _queue_one(ws: Workspace) -> None:
    """A submitted result in the review queue (so that its page shows one)."""
    reg = ws.registry(actor="lab")
    m = MRDMeasurement(
        timepoint=Timepoint.EOC,
        method=MRDMethod.FLOW,
        tissue=Tissue.BONE_MARROW,
        status=MRDStatus.POSITIVE_NQ,
        level=MRDLevel(4e-5),
        sensitivity=MRDLevel(2e-5),
        quantitative_range=MRDLevel(1e-4),
        sample_day=79,
    )
    if reg.add_mrd("SYN-0006", m, source="flow:8/200000") is not None:
        reg.review_mrd("SYN-0006", ("eoc", "bm", "flow"), ReviewAction.SUBMIT, role=None)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen_and_is_captured(
    open_page: Callable[..., Any], live: LiveServer, width: int, tmp_path: Path
) -> None:
    """No page scrolls sideways (tables scroll inside their box) at 1280 px or 390 px."""
    out = DOCS_IMG if os.environ.get("MRDGUIDE_WEB_SCREENSHOTS") else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    _queue_one(live.ws)
    pages: dict[str, Any] = {}
    for name, (user, path) in PAGES.items():
        page = pages.get(user)
        if page is None:
            page = pages[user] = open_page(width)
            if user:
                sign_in(page, user, path)
        page.goto(path)
        assert page.locator(".notice").inner_text().startswith("Research use only")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width, overflow)
        page.screenshot(path=str(out / f"web-{name}-{width}.png"), full_page=True)
        assert page.errors == [], (name, page.errors)

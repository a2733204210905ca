"""Loopback load test of the web app (``make bench-web``).

Starts ``mrdguide serve`` on a registry (the 3,000-patient demo registry by default) on
127.0.0.1, signs a clinician in, and drives it with httpx async clients: the patient page
(``/patients/{id}``, random patients) and the patient list (``/patients?page=N``, random pages,
some searches). Reports p50/p95/p99 latency, throughput and errors per scenario:

* ``users``: 20 concurrent users, each waiting a think time (uniform 0.5–1.5 s) between pages,
  as people reading pages do;
* ``saturation``: 20 requests always in flight, no think time (the server's ceiling on this
  machine).

Bounded in time and count, loopback only. The server runs with ``MRDGUIDE_WEB_COOKIE_SECURE=0``
because the httpx cookie jar does not return ``Secure`` cookies over plain HTTP (browsers do on
loopback); that flag does not change the server's work.

Usage::

    python benchmarks/web_load.py --db sqlite:////tmp/x/registry.sqlite [--db postgresql+...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

from mrdguide.errors import MRDGuideError
from mrdguide.services import open_workspace
from mrdguide.services.users import add_user
from mrdguide.services.web_auth import set_password
from mrdguide.settings import Settings

USERS = 20
BENCH_USER = "bench-clinician"


@dataclass
class Result:
    """Latencies (seconds) and errors of one scenario."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def row(self) -> dict[str, object]:
        lat = sorted(self.latencies)

        def q(p: float) -> float:
            return 1000 * lat[min(len(lat) - 1, round(p * (len(lat) - 1)))] if lat else float("nan")

        return {
            "scenario": self.name, "requests": len(lat) + self.errors, "errors": self.errors,
            "p50_ms": round(q(0.50), 1), "p95_ms": round(q(0.95), 1), "p99_ms": round(q(0.99), 1),
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
            "req_per_s": round(len(lat) / self.seconds, 1) if self.seconds else None,
        }  # fmt: skip


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_demo(url: str) -> None:
    """Fill an empty (or uninitialised) registry with the demo cohort (``mrdguide demo``)."""
    try:
        with open_workspace(Settings.from_env(), url=url) as ws:
            if ws.registry(actor="bench-web").count_patients() > 0:
                return
    except MRDGuideError:
        pass
    exe = Path(sys.executable).with_name("mrdguide")
    out = Path(tempfile.mkdtemp(prefix="mrdguide-bench-demo-"))
    print(f"filling {url} with the demo registry (a few minutes)...", flush=True)
    subprocess.run([str(exe), "demo", "--db", url, "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def _prepare(url: str) -> tuple[str, list[str]]:
    """A clinician with a fresh password; the registry's patient ids."""
    password = secrets.token_urlsafe(16)
    with open_workspace(Settings.from_env(), url=url) as ws:
        reg = ws.registry(actor="bench-web")
        try:
            set_password(reg, BENCH_USER, password)
        except LookupError:
            add_user(reg, BENCH_USER, "clinician", password=password)
        return password, reg.patient_ids()


def _start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"MRDGUIDE_WEB_COOKIE_SECURE": "0",
                        "MRDGUIDE_SESSION_SECRET": secrets.token_urlsafe(32)}  # fmt: skip
    exe = Path(sys.executable).with_name("mrdguide")
    return subprocess.Popen(
        [str(exe), "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def _login(client: httpx.AsyncClient, password: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on /login"
    r = await client.post("/login", data={"username": BENCH_USER, "password": password,
                                          "csrftoken": token.group(1)})  # fmt: skip
    assert r.status_code == 303, r.status_code


async def _wait_ready(base: str, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=base) as c:
        while time.monotonic() < deadline:
            try:
                if (await c.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


async def _warm_model(client: httpx.AsyncClient, pid: str, deadline: float) -> None:
    """Wait until the relapse model (fitted in the background at start-up) is ready."""
    while time.monotonic() < deadline:
        html = (await client.get(f"/patients/{pid}")).text
        if "being fitted" not in html and "refit" not in html:
            return
        await asyncio.sleep(1.0)


def _path(kind: str, rng: random.Random, ids: list[str], pages: int) -> str:
    if kind == "patient":
        return f"/patients/{rng.choice(ids)}"
    if rng.random() < 0.2:
        return f"/patients?q=SIM-00{rng.randrange(10, 99)}"
    return f"/patients?page={rng.randrange(1, pages + 1)}"


async def _user(client: httpx.AsyncClient, res: Result, kind: str, seed: int, ids: list[str],
                pages: int, stop: float, think: bool, budget: list[int]) -> None:  # fmt: skip
    rng = random.Random(seed)
    while time.monotonic() < stop and budget[0] > 0:
        budget[0] -= 1
        t0 = time.perf_counter()
        try:
            r = await client.get(_path(kind, rng, ids, pages))
            ok = r.status_code == 200 and "Research use only" in r.text
        except httpx.HTTPError:
            ok = False
        (res.latencies.append(time.perf_counter() - t0) if ok else None)
        res.errors += 0 if ok else 1
        if think:
            await asyncio.sleep(rng.uniform(0.5, 1.5))


async def _scenario(base: str, password: str, ids: list[str], kind: str, *, think: bool,
                    seconds: float, max_requests: int) -> Result:  # fmt: skip
    res = Result(name=f"{kind}, {'users' if think else 'saturation'}")
    limits = httpx.Limits(max_connections=USERS + 2)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await _login(client, password)
        await _warm_model(client, ids[0], time.monotonic() + 120)
        pages = max(1, -(-len(ids) // 25))
        stop = time.monotonic() + seconds
        budget = [max_requests]
        t0 = time.monotonic()
        await asyncio.gather(*(_user(client, res, kind, 1000 + i, ids, pages, stop, think, budget)
                               for i in range(USERS)))  # fmt: skip
        res.seconds = time.monotonic() - t0
    return res


def run(url: str, seconds: float, max_requests: int) -> list[dict[str, object]]:
    """Every scenario against a fresh server on ``url``."""
    _ensure_demo(url)
    password, ids = _prepare(url)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(url, port)
    try:
        asyncio.run(_wait_ready(base, time.monotonic() + 60))
        rows = []
        for kind in ("patient", "list"):
            for think in (True, False):
                res = asyncio.run(
                    _scenario(
                        base,
                        password,
                        ids,
                        kind,
                        think=think,
                        seconds=seconds,
                        max_requests=max_requests,
                    )
                )
                rows.append({"backend": url.split(":", 1)[0].split("+", maxsplit=1)[0]} | res.row())
                print(json.dumps(rows[-1]), flush=True)
        return rows
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> None:
    """Command line: one or more ``--db`` URLs."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", required=True, help="Registry URL (repeatable).")
    ap.add_argument("--seconds", type=float, default=30.0, help="Longest run per scenario.")
    ap.add_argument("--max-requests", type=int, default=1500, help="Most requests per scenario.")
    ap.add_argument("--out", type=Path, help="Write the rows as JSON here.")
    args = ap.parse_args()
    rows = [r for url in args.db for r in run(url, args.seconds, args.max_requests)]
    header = ("backend", "scenario", "requests", "errors", "p50_ms", "p95_ms", "p99_ms",
              "req_per_s")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(str(r[h]) for h in header) + " |")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()

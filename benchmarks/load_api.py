"""A bounded load test of `proplens serve` on 127.0.0.1.

Starts the server itself (with the shipped default model unless `--model` names another folder),
sends a fixed number of `POST /api/analyze` requests with fixed concurrency, stops by itself after
`--requests` or `--max-seconds`, stops the server, and prints requests/s, p50/p95/max latency,
status counts, 5xx count and the server's peak RSS. Exits 1 on any 5xx or transport error.

Example:
    .venv/bin/python benchmarks/load_api.py --requests 200 --concurrency 4
    .venv/bin/python benchmarks/load_api.py --model /path/to/model --json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "samples" / "pdf-extracted-article.txt"
FALLBACK = (
    "The reckless mayor called them traitors. Everyone knows the plan failed, and only a fool "
    "would trust the council again. We must act now or lose everything we love about this town. "
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def article_texts() -> list[str]:
    """Three request bodies of different sizes: a paragraph, the sample article, a long article."""
    sample = SAMPLE.read_text(encoding="utf-8") if SAMPLE.is_file() else FALLBACK * 30
    return [FALLBACK, sample, sample * 4]


class RssSampler(threading.Thread):
    """Samples the RSS of a process and its children every `interval` seconds; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.proc, self.interval, self.peak, self.stop = psutil.Process(pid), interval, 0, False

    def run(self) -> None:
        while not self.stop:
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                return
            time.sleep(self.interval)


def start_server(model: str | None, port: int, max_body: int, log) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv" / "bin" / "proplens"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--max-body-bytes",
        str(max_body),
    ]
    if model:
        cmd += ["--model", model]
    return subprocess.Popen(cmd, stdout=log, stderr=log, cwd=ROOT, start_new_session=True)


def wait_healthy(base: str, server: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"The server exited with code {server.returncode} before it was ready."
            )
        try:
            r = httpx.get(f"{base}/api/health", timeout=2)
            if r.status_code == 200:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"The server was not healthy after {timeout:.0f} s.")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def hostile_uploads() -> list[tuple[str, bytes]]:
    """The bad-input catalogue of the hardening tests, as (file name, bytes) uploads."""
    sys.path.insert(0, str(ROOT))
    from tests.hardening.catalogue import cases

    return [(filename, data) for _, filename, data, _ in cases()]


def run_load(base: str, n: int, concurrency: int, max_seconds: float, hostile: bool) -> dict:
    texts = article_texts()
    bad = hostile_uploads() if hostile else []
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    hostile_statuses: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def one_hostile(i: int) -> None:
        name, data = bad[(i // 4) % len(bad)]  # every case in turn
        try:
            with httpx.Client(timeout=max_seconds) as client:
                r = client.post(f"{base}/api/analyze", files={"file": (name, data, "text/plain")})
            key = str(r.status_code)
        except httpx.HTTPError as exc:
            key = type(exc).__name__
        with lock:
            hostile_statuses[key] = hostile_statuses.get(key, 0) + 1

    def one(i: int) -> None:
        if time.monotonic() > deadline:
            return
        if bad and i % 4 == 3:  # with --hostile, every fourth request is a bad-input upload
            one_hostile(i)
            return
        text = texts[i % len(texts)]
        t0 = time.perf_counter()
        try:
            with httpx.Client(timeout=max_seconds) as client:
                if i % 5 == 4:  # every fifth request is a file upload
                    r = client.post(
                        f"{base}/api/analyze",
                        files={"file": (f"a{i}.txt", text.encode(), "text/plain")},
                    )
                else:
                    r = client.post(f"{base}/api/analyze", json={"text": text, "title": f"A{i}"})
            key = str(r.status_code)
        except httpx.HTTPError as exc:
            key = type(exc).__name__
        with lock:
            latencies.append(time.perf_counter() - t0)
            statuses[key] = statuses.get(key, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(n)))
    wall = time.perf_counter() - started
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=20) if len(lat) >= 2 else lat * 19
    return {
        "requests_sent": len(lat) + sum(hostile_statuses.values()),
        "analyses_timed": len(lat),
        "requests_planned": n,
        "concurrency": concurrency,
        "seconds": round(wall, 2),
        "requests_per_s": round((len(lat) + sum(hostile_statuses.values())) / wall, 2),
        "analyses_per_s": round(len(lat) / wall, 2),
        "p50_ms": round(1000 * statistics.median(lat), 1) if lat else None,
        "p95_ms": round(1000 * q[18], 1) if lat else None,
        "max_ms": round(1000 * lat[-1], 1) if lat else None,
        "statuses": statuses,
        "hostile_statuses": hostile_statuses,
        "n_5xx": sum(v for d in (statuses, hostile_statuses) for k, v in d.items() if k[0] == "5"),
        "n_transport_errors": sum(
            v for d in (statuses, hostile_statuses) for k, v in d.items() if not k.isdigit()
        ),
        "body_chars": [len(t) for t in texts],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="Model folder (default: the shipped default model).")
    ap.add_argument("--requests", type=int, default=200, help="Requests to send (default 200).")
    ap.add_argument("--concurrency", type=int, default=4, help="Requests in flight (default 4).")
    ap.add_argument("--max-seconds", type=float, default=300, help="Stop sending after this.")
    ap.add_argument("--max-body-bytes", type=int, default=5 * 1024 * 1024)
    ap.add_argument("--startup-timeout", type=float, default=180)
    ap.add_argument(
        "--hostile",
        action="store_true",
        help="Make every fourth request an upload from the bad-input catalogue.",
    )
    ap.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = ap.parse_args(argv)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w", prefix="proplens-serve-", suffix=".log", delete=False)
    server = start_server(args.model, port, args.max_body_bytes, log)
    try:
        health = wait_healthy(base, server, args.startup_timeout)
        sampler = RssSampler(server.pid)
        idle_rss = psutil.Process(server.pid).memory_info().rss
        sampler.start()
        result = run_load(base, args.requests, args.concurrency, args.max_seconds, args.hostile)
        sampler.stop = True
        sampler.join()
        alive = server.poll() is None
    finally:
        stop_server(server)
        log.close()
    result.update(
        model=health.get("model"),
        server_idle_rss_mb=round(idle_rss / 2**20, 1),
        server_peak_rss_mb=round(sampler.peak / 2**20, 1),
        server_survived=alive,
        cpus=os.cpu_count(),
        server_log=log.name,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    return 1 if result["n_5xx"] or result["n_transport_errors"] or not alive else 0


if __name__ == "__main__":
    sys.exit(main())

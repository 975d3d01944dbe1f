"""The server's bounds under hostile load, on 127.0.0.1, with the real model.

Starts `proplens serve` (the shipped model unless `--model`), then, each step bounded in time:

1. burst: `--clients` clients at once, each POSTing a `--chars`-character article: the status
   of each answer, the server's peak RSS, and the slowest `/api/health` answer meanwhile;
2. abandon: one client sends such an article and gives up after 2 s; how long the server keeps
   using CPU after that (it should stop within a second);
3. half-open: `--idle` connections that send half a request header and nothing more; whether
   `/api/health` still answers, and whether the server closed them after its header timeout;

and prints the size of the server's log. Exits 1 on any 500 or transport error of the server.

Example:
    .venv/bin/python benchmarks/load_limits.py --clients 16 --chars 200000 --idle 1100
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
from load_api import RssSampler, free_port, stop_server, wait_healthy  # same folder

ROOT = Path(__file__).resolve().parent.parent
PTC = ROOT.parent / "shared" / "corpora" / "ptc" / "train-articles"


def long_article(n_chars: int) -> str:
    parts, size = [], 0
    for f in sorted(PTC.glob("*.txt")):
        parts.append(f.read_text(encoding="utf-8"))
        size += len(parts[-1]) + 2
        if size > n_chars:
            break
    text = "\n\n".join(parts)
    return (text * (n_chars // max(len(text), 1) + 1))[:n_chars]


def burst(base: str, clients: int, text: str, seconds: float) -> dict:
    statuses: dict[str, int] = {}
    slowest_health, stop = [0.0], threading.Event()

    def health() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                httpx.get(f"{base}/api/health", timeout=30)
            except httpx.HTTPError:
                pass
            slowest_health[0] = max(slowest_health[0], time.perf_counter() - t0)
            time.sleep(0.5)

    def one(_: int) -> str:
        try:
            r = httpx.post(f"{base}/api/analyze", json={"text": text}, timeout=seconds + 60)
            detail = r.json().get("detail", "") if r.status_code != 200 else ""
            kind = "busy" if "busy" in detail else "time limit" if "longer" in detail else ""
            return f"{r.status_code} {kind}".strip()
        except httpx.HTTPError as exc:
            return type(exc).__name__

    watcher = threading.Thread(target=health, daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for key in pool.map(one, range(clients)):
            statuses[key] = statuses.get(key, 0) + 1
    stop.set()
    watcher.join()
    return {
        "statuses": statuses,
        "seconds": round(time.perf_counter() - t0, 1),
        "slowest_health_s": round(slowest_health[0], 2),
    }


def abandon(base: str, server: psutil.Process, text: str) -> dict:
    """Give up on a request after 2 s; then the time until the server's CPU use falls below
    a tenth of a core over 0.2 s."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(
            lambda: httpx.post(f"{base}/api/analyze", json={"text": text}, timeout=2)
        ).exception()
    left = time.perf_counter()

    def cpu() -> float:
        t = server.cpu_times()
        return t.user + t.system

    while time.perf_counter() - left < 30:
        before = cpu()
        time.sleep(0.2)
        if cpu() - before < 0.02:
            return {"cpu_stopped_after_s": round(time.perf_counter() - left, 2)}
    return {"cpu_stopped_after_s": None}


def half_open(base: str, port: int, n: int, wait: float) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 256)), hard))
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Len")
        socks.append(s)
    t0 = time.perf_counter()
    ok = httpx.get(f"{base}/api/health", timeout=30).status_code == 200
    health_s = time.perf_counter() - t0
    time.sleep(wait)
    closed = 0
    for s in socks:
        s.settimeout(0.5)
        try:
            closed += s.recv(1) == b""
        except (TimeoutError, OSError):
            pass
        s.close()
    return {
        "idle_connections": n,
        "health_ok": ok,
        "health_s": round(health_s, 2),
        f"closed_by_server_after_{wait:g}_s": closed,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--chars", type=int, default=200_000)
    ap.add_argument("--idle", type=int, default=1100)
    ap.add_argument("--timeout", type=float, default=30.0, help="The server's --timeout.")
    ap.add_argument("--max-running", type=int, default=2)
    ap.add_argument("--max-waiting", type=int, default=8)
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w", prefix="proplens-serve-", suffix=".log", delete=False)
    cmd = [str(ROOT / ".venv" / "bin" / "proplens"), "serve", "--port", str(port)]
    cmd += ["--timeout", str(args.timeout), "--max-running", str(args.max_running)]
    cmd += ["--max-waiting", str(args.max_waiting), "--max-body-bytes", str(8 * args.chars)]
    cmd += ["--max-chars", str(args.chars)] + (["--model", args.model] if args.model else [])
    server = subprocess.Popen(cmd, stdout=log, stderr=log, cwd=ROOT, start_new_session=True)
    try:
        wait_healthy(base, server, 300)
        proc = psutil.Process(server.pid)
        idle_rss = proc.memory_info().rss
        sampler = RssSampler(server.pid)
        sampler.start()
        text = long_article(args.chars)
        result = {"burst": burst(base, args.clients, text, args.timeout)}
        result["abandon"] = abandon(base, proc, text)
        sampler.stop = True
        sampler.join()
        result["half_open"] = half_open(base, port, args.idle, 12.0)
        result["server_alive"] = server.poll() is None
    finally:
        stop_server(server)
        log.close()
    result.update(
        clients=args.clients,
        chars=len(text),
        server_idle_rss_mb=round(idle_rss / 2**20),
        server_peak_rss_mb=round(sampler.peak / 2**20),
        server_log_bytes=os.path.getsize(log.name),
        server_options=cmd[2:],
    )
    print(json.dumps(result, indent=2))
    bad = [k for k in result["burst"]["statuses"] if not k.startswith(("200", "503"))]
    return 1 if bad or not result["server_alive"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

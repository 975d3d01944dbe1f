"""The server on a real socket: token, bounded concurrency, time limits, cancellation, 413s
a client can read, and connections that never send a whole request."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from proplens.api import create_app
from proplens.errors import IngestError
from proplens.server.limits import header_timeout_protocol, parse_isolated
from tests.hardening.slow import SlowPipeline


class LiveServer:
    """`create_app(**options)` served by uvicorn in a thread on a free loopback port."""

    def __init__(self, pipeline, header_timeout: float = 10.0, **options) -> None:
        self.pipeline = pipeline
        config = uvicorn.Config(
            create_app(pipeline=pipeline, **options),
            host="127.0.0.1",
            port=0,
            log_level="error",
            http=header_timeout_protocol(header_timeout),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def post(url: str, text: str = "They are traitors.", timeout: float = 30, **kw) -> httpx.Response:
    return httpx.post(f"{url}/api/analyze", json={"text": text}, timeout=timeout, **kw)


def test_server_over_capacity_answers_503_with_retry_after():
    with LiveServer(SlowPipeline(1.0), max_running=1, max_waiting=1) as live:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: post(live.url), range(4)))
    codes = sorted(r.status_code for r in answers)
    busy = [r for r in answers if r.status_code == 503]
    assert codes == [200, 200, 503, 503]
    assert all(r.headers["retry-after"] == "5" and "The server is busy" in r.text for r in busy)


def test_server_stops_an_analysis_at_its_time_limit():
    slow = SlowPipeline(10.0)
    with LiveServer(slow, timeout=0.5) as live:
        started = time.monotonic()
        r = post(live.url)
        took = time.monotonic() - started
        time.sleep(0.3)
    assert r.status_code == 503 and "longer than this server's limit of 0.5 seconds" in r.text
    assert took < 1.5 and slow.ended[0][0] == "cancelled"


def test_server_stops_an_analysis_within_a_second_of_its_client_leaving():
    slow = SlowPipeline(10.0)
    with LiveServer(slow) as live:
        left = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            post(live.url, timeout=0.5)
        left += 0.5
        for _ in range(40):
            if slow.ended:
                break
            time.sleep(0.05)
        # The place is given back: a new request runs at once.
        assert httpx.get(f"{live.url}/api/health").status_code == 200
    assert slow.ended[0][0] == "cancelled" and slow.ended[0][1] - left < 1.0


def test_server_health_answers_while_analyses_run():
    with LiveServer(SlowPipeline(2.0), max_running=1, max_waiting=4) as live:
        with ThreadPoolExecutor(3) as pool:
            pending = [pool.submit(post, live.url) for _ in range(3)]
            time.sleep(0.3)
            started = time.monotonic()
            health = httpx.get(f"{live.url}/api/health")
            took = time.monotonic() - started
            for f in pending:
                f.result()
    assert health.status_code == 200 and took < 1.0  # an analysis takes 2 s


@pytest.mark.parametrize("chunked", [False, True])
def test_server_413_is_readable_by_a_client_that_sends_the_whole_body_first(chunked):
    body = json.dumps({"text": "x" * 6_000_000}).encode()
    with LiveServer(SlowPipeline(0.0), max_body_bytes=5 * 1024 * 1024) as live:
        data = iter([body[i : i + 65536] for i in range(0, len(body), 65536)]) if chunked else body
        request = urllib.request.Request(
            f"{live.url}/api/analyze", data=data, headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 413
    assert "larger than the server's limit" in json.loads(caught.value.read())["detail"]


def test_server_closes_connections_that_never_finish_their_header():
    with LiveServer(SlowPipeline(0.0), header_timeout=0.5) as live:
        idle = [socket.create_connection(("127.0.0.1", live.port)) for _ in range(20)]
        for s in idle:
            s.sendall(b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            s.settimeout(3)
        closed = [s.recv(1) == b"" for s in idle]
        assert httpx.get(f"{live.url}/api/health").status_code == 200
    assert all(closed)


def test_server_refuses_a_request_without_content_type():
    with LiveServer(SlowPipeline(0.0)) as live:
        r = httpx.post(f"{live.url}/api/analyze", content=b'{"text": "x"}')
    assert r.status_code == 415 and "request without a content type" in r.text


def test_pdf_parsing_is_stopped_at_its_time_limit():
    with pytest.raises(IngestError, match=r"took longer than 0\.01 seconds, so it was stopped"):
        parse_isolated(b"%PDF-1.4\n" + b"0" * 1000, "slow.pdf", 0.01)

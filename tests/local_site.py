"""A local web site on 127.0.0.1 for the URL tests (no network): an article page, a text file, a
404, an image, a large page, redirects."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

PAGE = (
    b"<html><head><title>Council vote</title></head><body><article><h1>Council vote</h1>"
    b"<p>These cowardly traitors sold the rail yard in a reckless midnight vote, and everyone "
    b"knows it. The so-called leaders of our city never asked a single resident.</p>"
    b"<p>Enough is enough. Stop the sell-out and save the town we love from these people.</p>"
    b"</article></body></html>"
)
ROUTES = {
    "/story.html": (200, "text/html; charset=utf-8", PAGE),
    "/story.txt": (200, "text/plain", b"These traitors lied to us. Enough is enough."),
    "/gone": (404, "text/html", b"<p>not here</p>"),
    "/logo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
    "/big.html": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/hop/"):
            n = int(self.path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{n + 1}" if n < 20 else "/story.html")
            self.end_headers()
            return
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/story.html")
            self.end_headers()
            return
        status, ctype, body = ROUTES.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

"""The HTML report: a self-contained file with the page's own `web/style.css` and
`web/render.js` inlined, the analysis JSON (`proplens.views.analysis`) embedded, and a static,
escaped fallback for readers with JavaScript off. The web page runs the same `render.js` on the
same JSON, as the API returns it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from proplens import __version__
from proplens.doc import Span
from proplens.views.analysis import model_line


def segments(
    text: str, spans: list[dict[str, Any]] | list[Span]
) -> list[tuple[int, int, list[int]]]:
    """Cut `text` at every span boundary.

    Returns:
        `(start, end, covering)` triples that tile the whole text, where `covering` lists the
        indices of the spans covering that piece (empty for unmarked text).
    """
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    items: Sequence[dict[str, Any] | Span] = spans
    for i, s in enumerate(items):
        start, end = (s["start"], s["end"]) if isinstance(s, dict) else (s.start, s.end)
        starts.setdefault(start, []).append(i)
        ends.setdefault(end, []).append(i)
    cuts = sorted(b for b in {0, len(text), *starts, *ends} if 0 <= b <= len(text))
    active: set[int] = set()
    out = []
    # One sweep over the boundaries: O(boundaries x overlapping spans), not x all spans.
    for a, b in zip(cuts, cuts[1:], strict=False):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        out.append((a, b, sorted(active)))
    return out


def marks_html(data: dict[str, Any]) -> str:
    """Static HTML of the article: escaped text, one `<mark>` per covered piece.

    Each covering span draws one underline in its technique's colour, stacked, so overlapping
    spans stay readable. Every character of the article is escaped.
    """
    spans = data["spans"]
    parts = []
    for a, b, covering in segments(data["text"], spans):
        piece = html.escape(data["text"][a:b])
        if not covering:
            parts.append(piece)
            continue
        shadows = ", ".join(
            f"inset 0 -{3 * (k + 1)}px 0 {spans[i]['colour']}" for k, i in enumerate(covering)
        )
        shadows += f"; background-color: {_tint(spans[covering[0]]['colour'])}"
        label = html.escape(
            "; ".join(f"{spans[i]['title']} ({spans[i]['score']:.2f})" for i in covering)
        )
        parts.append(
            f'<mark class="pl-seg" style="box-shadow: {html.escape(shadows)}" title="{label}">'
            f"{piece}</mark>"
        )
    return "".join(parts)


def _tint(colour: str, alpha: float = 0.13) -> str:
    """`#rrggbb` as a translucent `rgba(...)` (grey for anything else)."""
    value = int(colour[1:], 16) if re.fullmatch(r"#[0-9a-fA-F]{6}", colour or "") else 0x6B7280
    return f"rgba({value >> 16}, {(value >> 8) & 255}, {value & 255}, {alpha})"


def _without_weak(data: dict[str, Any]) -> dict[str, Any]:
    """The analysis with the marks below its `default_min_score` left out (static views)."""
    cut = data.get("default_min_score", 0.0) - 1e-9
    return {**data, "spans": [s for s in data["spans"] if s["score"] >= cut]}


def embed_json(obj: Any) -> str:
    """JSON that is safe inside `<script type="application/json">` (no `</script>` break-out)."""
    text = json.dumps(obj, ensure_ascii=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def web_asset(name: str) -> str:
    """The text of a file shipped in `proplens/web/`."""
    return resources.files("proplens").joinpath("web", name).read_text(encoding="utf-8")


def render_report(analyses: dict[str, Any] | list[dict[str, Any]], title: str | None = None) -> str:
    """A single self-contained HTML report (inline CSS, JS and SVG; no network).

    Args:
        analyses: One analysis (see `analysis`) or a list of them.
        title: The page title; defaults to the first article's title.

    Returns:
        The HTML document as a string.
    """
    items = [analyses] if isinstance(analyses, dict) else list(analyses)
    if title is None:
        first = items[0].get("title") if items else None
        title = f"proplens report: {first}" if first else "proplens report"
    fallback = "\n".join(
        f'<article class="pl-static"><h2>{html.escape(a.get("title") or "Article")}</h2>'
        f"<p>{html.escape(a.get('reading_guide') or '')}</p>"
        f'<div class="pl-text">{marks_html(_without_weak(a))}</div></article>'
        for a in items
    )
    head = html.escape(model_line(items[0])) if items else ""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _REPORT.format(
        title=html.escape(title),
        css=web_asset("style.css"),
        js=web_asset("render.js"),
        data=embed_json(items),
        fallback=fallback,
        head=head,
        footer=html.escape(f"Made with proplens {__version__} on {stamp}."),
    )


_REPORT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body class="pl-report">
<header class="pl-topbar">
<div class="pl-brand"><span class="pl-logo" aria-hidden="true"></span>proplens</div>
<div class="pl-topbar-note">Report</div>
</header>
<main id="pl-report" class="pl-main">
<p class="pl-report-head" id="pl-report-head">{head}</p>
<noscript>{fallback}</noscript>
</main>
<footer class="pl-footer">{footer}</footer>
<script type="application/json" id="pl-data">{data}</script>
<script>
{js}
</script>
<script>
(function () {{
  var items = JSON.parse(document.getElementById("pl-data").textContent);
  var root = document.getElementById("pl-report");
  items.forEach(function (a) {{
    var el = document.createElement("section");
    el.className = "pl-analysis";
    root.appendChild(el);
    ProplensRender.render(el, a);
  }});
}})();
</script>
</body>
</html>
"""

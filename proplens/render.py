"""Turn an analysed article into the JSON every view shares, and that JSON into HTML.

`analysis(doc)` builds the one JSON shape the API returns, `analyze --format json` prints and
the reports embed: `Doc.to_json()` plus each span's definition, the taxonomy and a summary.
`render_report(...)` writes a self-contained HTML file: the page's own `web/style.css` and
`web/render.js` inlined, the analysis embedded as JSON, and a static, escaped fallback for
readers with JavaScript off. The web page runs the same `render.js` on the same JSON.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from proplens import __version__
from proplens.doc import Doc, Span
from proplens.summary import summarize
from proplens.techniques import BY_NAME, TECHNIQUES
from proplens.textutil import printable

UNCLASSIFIED_COLOUR = "#6b7280"


def span_json(span: Span) -> dict[str, Any]:
    """A span's JSON plus its technique's title, definition and colour."""
    out = span.to_json()
    out.setdefault("alternatives", [])
    info = BY_NAME.get(span.technique or "")
    out["title"] = info.title if info else "Unclassified propaganda"
    out["definition"] = (
        info.definition if info else "A fragment that uses some propaganda technique."
    )
    out["colour"] = info.colour if info else UNCLASSIFIED_COLOUR
    return out


def analysis(doc: Doc, model: dict[str, Any] | None = None) -> dict[str, Any]:
    """The analysis JSON for one article: what the API returns and every view renders.

    Args:
        doc: An analysed article.
        model: Facts about the model that produced the spans (name, version, threshold).

    Returns:
        `doc.to_json()` with spans sorted and enriched by `span_json`, plus `summary`
        (see `proplens.summary.summarize`), `techniques` (the full taxonomy) and `model`.
    """
    out = doc.to_json()
    out["spans"] = [span_json(s) for s in doc.sorted_spans()]
    out["summary"] = summarize(doc)
    out["techniques"] = [t.to_json() for t in TECHNIQUES]
    out["model"] = dict(model or {})
    return out


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
    for i, s in enumerate(spans):
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
        f'<div class="pl-text">{marks_html(a)}</div></article>'
        for a in items
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _REPORT.format(
        title=html.escape(title),
        css=web_asset("style.css"),
        js=web_asset("render.js"),
        data=embed_json(items),
        fallback=fallback,
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


def model_info(pipeline: Any) -> dict[str, Any]:
    """Name, version and threshold of a loaded pipeline, for the analysis JSON."""
    info: dict[str, Any] = {
        "name": getattr(pipeline, "name", None) or type(pipeline).__name__,
        "version": getattr(pipeline, "version", None),
    }
    threshold = getattr(pipeline, "threshold", None)
    if threshold is not None:
        info["threshold"] = float(threshold)
    return info


def numbered_marks(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, int | None, str]]:
    """The text as pieces for plain-text views: `(kind, number, piece)` in reading order.

    `kind` is "text", "open" or "close"; spans are numbered from 1 in the order of `spans`.
    At one position, spans that end close (innermost first) before spans that start open
    (outermost first), so overlapping spans stay unambiguous.
    """
    events: dict[int, tuple[list[int], list[int]]] = {}
    for i, s in enumerate(spans):
        events.setdefault(s["start"], ([], []))[1].append(i)
        events.setdefault(s["end"], ([], []))[0].append(i)
    out: list[tuple[str, int | None, str]] = []
    pos = 0
    for at in sorted(events):
        if at > pos:
            out.append(("text", None, text[pos:at]))
            pos = at
        closes, opens = events[at]
        for i in sorted(closes, key=lambda i: -spans[i]["start"]):
            out.append(("close", i + 1, ""))
        for i in sorted(opens, key=lambda i: -spans[i]["end"]):
            out.append(("open", i + 1, ""))
    if pos < len(text):
        out.append(("text", None, text[pos:]))
    return out


def render_plain(data: dict[str, Any]) -> str:
    """The article with `[marked text]^N` spans, then the numbered spans and a summary.

    Terminal control characters from the article (ESC, BEL, C1...) are shown as U+FFFD, so an
    article cannot drive the reader's terminal; see `proplens.textutil.printable`.
    """
    body = "".join(
        piece if kind == "text" else "[" if kind == "open" else f"]^{n}"
        for kind, n, piece in numbered_marks(data["text"], data["spans"])
    )
    lines = [data["title"], ""] if data.get("title") else []
    lines += [body.rstrip(), "", *span_lines(data), "", *summary_lines(data)]
    return printable("\n".join(lines) + "\n")


def span_lines(data: dict[str, Any]) -> list[str]:
    """One line per span: number, technique, score, quoted text, runner-ups."""
    out = []
    for n, s in enumerate(data["spans"], 1):
        alts = ", ".join(
            f"{a['technique']} {a['score']:.2f}" for a in s.get("alternatives", [])[:2]
        )
        quote = printable(" ".join(s["text"].split()))
        quote = quote if len(quote) <= 70 else quote[:69] + "…"
        out.append(
            f'{n:>3}. {s["technique"] or "Unclassified"} {s["score"]:.2f}  "{quote}"'
            + (f"  (runner-ups: {alts})" if alts else "")
        )
    return out


def summary_lines(data: dict[str, Any]) -> list[str]:
    """The per-technique summary as aligned text lines."""
    sm = data["summary"]
    out = [
        f"{sm['n_spans']} span{'' if sm['n_spans'] == 1 else 's'}, "
        f"propaganda density {100 * sm['density']:.1f}% "
        f"({sm['covered_chars']} of {sm['n_chars']} characters), "
        f"{sm['spans_per_1000_words']:.1f} spans per 1,000 words."
    ]
    if sm["techniques"]:
        width = max(len(t["technique"]) for t in sm["techniques"])
        top = max(t["count"] for t in sm["techniques"])
        for t in sm["techniques"]:
            bar = "#" * max(1, round(20 * t["count"] / top))
            out.append(
                f"  {t['technique']:<{width}}  {t['count']:>3}  {t['chars']:>5} chars  {bar}"
            )
    return out


def _md(text: str) -> str:
    """Text made inert for Markdown: HTML escaped, table pipes and emphasis characters quoted."""
    text = html.escape(" ".join(text.split()), quote=False)
    return "".join("\\" + c if c in "\\`*_[]|#<>" else c for c in text)


def _title(technique: str) -> str:
    info = BY_NAME.get(technique)
    return info.title if info else technique


def render_markdown(analyses: dict[str, Any] | list[dict[str, Any]]) -> str:
    """A Markdown summary: per-technique table, most loaded sentences, and every span."""
    items = [analyses] if isinstance(analyses, dict) else list(analyses)
    out: list[str] = []
    for data in items:
        sm = data["summary"]
        out.append(f"# {_md(data.get('title') or 'Article')}\n")
        facts = [f"{k}: {_md(str(data[k]))}" for k in ("source", "date", "url") if data.get(k)]
        model = data.get("model") or {}
        if model.get("name"):
            facts.append(f"model: {_md(str(model['name']))} {_md(str(model.get('version') or ''))}")
        if facts:
            out.append(" · ".join(facts) + "\n")
        out.append(
            f"**{sm['n_spans']} spans**, propaganda density **{100 * sm['density']:.1f}%**, "
            f"{sm['spans_per_1000_words']:.1f} spans per 1,000 words ({sm['n_words']} words).\n"
        )
        if sm["techniques"]:
            out.append("| Technique | Spans | Characters |\n|---|---:|---:|")
            out += [
                f"| {_md(t['title'])} | {t['count']} | {t['chars']} |" for t in sm["techniques"]
            ]
            out.append("")
        if sm["loaded_sentences"]:
            out.append("## Most loaded sentences\n")
            out += [
                f"{i}. {_md(s['text'])} — {s['n_spans']} span(s): "
                f"{', '.join(_md(_title(t)) for t in s['techniques'])}"
                for i, s in enumerate(sm["loaded_sentences"], 1)
            ]
            out.append("")
        if data["spans"]:
            out.append("## Spans\n")
            out.append("| # | Technique | Score | Text |\n|---:|---|---:|---|")
            out += [
                f"| {n} | {_md(s['title'])} | {s['score']:.2f} | {_md(s['text'])} |"
                for n, s in enumerate(data["spans"], 1)
            ]
            out.append("")
    return "\n".join(out).rstrip() + "\n"

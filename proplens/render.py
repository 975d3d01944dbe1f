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
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from proplens import __version__
from proplens.doc import Doc, Span
from proplens.summary import BANDS, DEFAULT_MIN_SCORE, loaded_sentences, summarize
from proplens.techniques import BY_NAME, TECHNIQUES
from proplens.views.terminal import (  # noqa: F401  (the plain-text view's old import path)
    numbered_marks,
    render_plain,
    span_lines,
    summary_lines,
)

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
    out["summary"] = summarize(doc, top_sentences=0)
    # The most loaded sentences are what a reader looks at first: weak marks stay out of them.
    shown = [s for s in doc.spans if s.score >= DEFAULT_MIN_SCORE - 1e-9]
    out["summary"]["loaded_sentences"] = loaded_sentences(doc, shown)
    out["techniques"] = [t.to_json() for t in TECHNIQUES]
    out["model"] = dict(model or {})
    out["bands"] = [dict(b) for b in BANDS]
    out["default_min_score"] = DEFAULT_MIN_SCORE
    out["reading_guide"] = reading_guide(out["model"])
    out["generated"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return out


def reading_guide(model: dict[str, Any]) -> str:
    """One paragraph on how to read the marks, with the model's measured quality when known."""
    bands = "; ".join(f"{b['label'].lower()} ({_band_range(i)})" for i, b in enumerate(BANDS))
    text = (
        "Every mark is the model's estimate, not a finding. The percentage on a mark is the "
        "model's estimate of the chance that the fragment uses that technique, in three bands: "
        f"{bands}; weak marks are hidden until you ask for them."
    )
    q = model.get("quality") or {}
    if {"span_precision", "span_recall"} <= q.keys():
        text += (
            f" Measured on {q.get('measured_on') or 'held-out annotated articles'}, about "
            f"{100 * q['span_precision']:.0f}% of the text this model marks was also marked by "
            "trained annotators, and it marks about "
            f"{100 * q['span_recall']:.0f}% of what they marked"
        )
        if "technique_accuracy" in q:
            text += (
                "; on fragments the annotators marked, it names their technique "
                f"{100 * q['technique_accuracy']:.0f}% of the time"
            )
        text += "."
    return text + (
        " Read each mark as a prompt to look closer, and check the context before quoting it."
    )


def _band_range(i: int) -> str:
    low = round(100 * BANDS[i]["min"])
    if i == 0:
        return f"{low}% or more"
    high = round(100 * BANDS[i - 1]["min"])
    return f"under {high}%" if low == 0 else f"{low}-{high}%"


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


def model_info(pipeline: Any) -> dict[str, Any]:
    """Name, version and threshold of a loaded pipeline, for the analysis JSON."""
    info: dict[str, Any] = {
        "name": getattr(pipeline, "name", None) or type(pipeline).__name__,
        "version": getattr(pipeline, "version", None),
    }
    threshold = getattr(pipeline, "threshold", None)
    if threshold is not None:
        info["threshold"] = float(threshold)
    quality = model_quality(getattr(pipeline, "meta", None) or {})
    if quality:
        info["quality"] = quality
    return info


def model_quality(meta: dict[str, Any]) -> dict[str, Any] | None:
    """The model's measured quality on articles it did not train on, from its meta.json.

    Uses `dev_scores` (the model scored on PTC dev) or, when dev was in its training data,
    `dev_protocol_scores` (the same recipe trained without dev, scored on dev). None when the
    model records neither.
    """
    for key, where in (
        ("dev_scores", "PTC dev articles this model was not trained on"),
        (
            "dev_protocol_scores",
            "PTC dev articles, by the same recipe trained without them",
        ),
    ):
        scores = meta.get(key)
        if isinstance(scores, dict) and {"si_p", "si_r"} <= scores.keys():
            out = {
                "span_precision": scores["si_p"],
                "span_recall": scores["si_r"],
                "measured_on": where,
            }
            if "tc_f1" in scores:
                out["technique_accuracy"] = scores["tc_f1"]
            return out
    return None


def _md(text: str) -> str:
    """Text made inert for Markdown: HTML escaped, table pipes and emphasis characters quoted."""
    text = html.escape(" ".join(text.split()), quote=False)
    return "".join("\\" + c if c in "\\`*_[]|#<>" else c for c in text)


def _title(technique: str) -> str:
    info = BY_NAME.get(technique)
    return info.title if info else technique


def model_line(data: dict[str, Any]) -> str:
    """`Generated DATE · model NAME VERSION · threshold T · proplens V`, for report headers."""
    model = data.get("model") or {}
    stamp = data.get("generated") or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    bits = [f"Generated {stamp}"]
    if model.get("name"):
        bits.append(f"model {model['name']} {model.get('version') or ''}".rstrip())
    if model.get("threshold") is not None:
        bits.append(f"threshold {model['threshold']:g}")
    bits.append(f"proplens {__version__}")
    return " · ".join(bits)


def render_markdown(
    analyses: dict[str, Any] | list[dict[str, Any]], min_score: float = DEFAULT_MIN_SCORE
) -> str:
    """A Markdown report: what was run and how to read it, the marks per technique, the most
    loaded sentences and every mark at or above `min_score` (weaker ones are counted)."""
    from proplens.summary import band

    items = [analyses] if isinstance(analyses, dict) else list(analyses)
    out: list[str] = []
    for data in items:
        sm = data["summary"]
        spans = [s for s in data["spans"] if s["score"] >= min_score - 1e-9]
        hidden = len(data["spans"]) - len(spans)
        out.append(f"# {_md(data.get('title') or 'Article')}\n")
        facts = [f"{k}: {_md(str(data[k]))}" for k in ("source", "date", "url") if data.get(k)]
        if facts:
            out.append(" · ".join(facts) + "\n")
        out.append(f"*{_md(model_line(data))}*\n")
        out.append(f"**How to read this.** {_md(data.get('reading_guide') or reading_guide({}))}\n")
        words = sm["n_words"]
        rate = f"{1000 * len(spans) / words:.1f}" if words else "0"
        line = (
            f"The model's estimate: **{len(spans)} marks** at {100 * min_score:.0f}% confidence "
            f"or more, {rate} per 1,000 words ({words} words)"
        )
        if hidden:
            line += f"; {hidden} weaker mark{'' if hidden == 1 else 's'} not listed"
        out.append(line + ".\n")
        counts: dict[str, int] = {}
        for s in spans:
            counts[s["title"]] = counts.get(s["title"], 0) + 1
        if counts:
            out.append("| Technique | Marks | Share of marks |\n|---|---:|---:|")
            out += [
                f"| {_md(t)} | {c} | {100 * c / len(spans):.0f}% |"
                for t, c in sorted(counts.items(), key=lambda kv: -kv[1])
            ]
            out.append("")
        if sm["loaded_sentences"]:
            out.append("## Most loaded sentences\n")
            out += [
                f"{i}. {_md(s['text'])} — {s['n_spans']} mark(s): "
                f"{', '.join(_md(_title(t)) for t in s['techniques'])}"
                for i, s in enumerate(sm["loaded_sentences"], 1)
            ]
            out.append("")
        if spans:
            out.append("## Marks\n")
            out.append("| # | Technique | Confidence | Text |\n|---:|---|---|---|")
            out += [
                f"| {n} | {_md(s['title'])} | {band(s['score'])}, {100 * s['score']:.0f}% "
                f"| {_md(s['text'])} |"
                for n, s in enumerate(spans, 1)
            ]
            out.append("")
    return "\n".join(out).rstrip() + "\n"

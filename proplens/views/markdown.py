"""The Markdown report of one or more analyses (`proplens.views.analysis`)."""

from __future__ import annotations

import html
from typing import Any

from proplens.summary import DEFAULT_MIN_SCORE, band
from proplens.techniques import BY_NAME
from proplens.views.analysis import model_line, reading_guide


def _md(text: str) -> str:
    """Text made inert for Markdown: HTML escaped, table pipes and emphasis characters quoted."""
    text = html.escape(" ".join(text.split()), quote=False)
    return "".join("\\" + c if c in "\\`*_[]|#<>" else c for c in text)


def _title(technique: str) -> str:
    info = BY_NAME.get(technique)
    return info.title if info else technique


def render_markdown(
    analyses: dict[str, Any] | list[dict[str, Any]], min_score: float = DEFAULT_MIN_SCORE
) -> str:
    """A Markdown report: what was run and how to read it, the marks per technique, the most
    loaded sentences and every mark at or above `min_score` (weaker ones are counted)."""
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

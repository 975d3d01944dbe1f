"""The terminal view of an analysis: the article reflowed with numbered marks, then each mark
explained (technique title, confidence band, definition, runner-ups) and a short summary.

Two forms read the same: `render_plain(data)` (no colour; marks as `[text](N)`) and
`rich_article(data)` plus `span_lines`/`summary_lines` for a colour terminal, where each
technique has its own colour from `TERMINAL_COLOURS` (256-colour indices picked to stay apart
on dark and light backgrounds; the web colours collapse to one red in 16-colour terminals).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from typing import Any

from proplens.summary import BANDS, DEFAULT_MIN_SCORE, band
from proplens.techniques import BY_NAME
from proplens.textutil import printable

TERMINAL_COLOURS: dict[str, int] = {
    "Loaded_Language": 197,
    "Name_Calling,Labeling": 208,
    "Repetition": 180,
    "Exaggeration,Minimisation": 178,
    "Doubt": 71,
    "Appeal_to_fear-prejudice": 135,
    "Flag-Waving": 33,
    "Causal_Oversimplification": 44,
    "Appeal_to_Authority": 30,
    "Slogans": 201,
    "Black-and-White_Fallacy": 63,
    "Thought-terminating_Cliches": 106,
    "Whataboutism,Straw_Men,Red_Herring": 175,
    "Bandwagon,Reductio_ad_hitlerum": 130,
}
UNCLASSIFIED_COLOUR = 246
MAX_WIDTH = 100
_HARD_WRAP = re.compile(r"([^\n])\r?\n(?=[^\r\n])")
_HYPHEN_WRAP = re.compile(r"([A-Za-z]-)\r?\n(?=[a-z])")


def terminal_colour(technique: str | None) -> str:
    """The rich style colour (`color(N)`) of a technique in the terminal."""
    return f"color({TERMINAL_COLOURS.get(technique or '', UNCLASSIFIED_COLOUR)})"


def reflow(text: str) -> str:
    """Join the hard line wraps of a PDF paste, as the web page does; paragraphs are kept.

    Text counts as hard-wrapped when it has 5+ lines and 60%+ of them are 40-120 characters
    long; otherwise it is returned unchanged. Every character maps to one character (a joined
    line break becomes a space, or a zero-width space after a hyphen), so offsets still hold.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    wrapped = sum(1 for line in lines if 40 <= len(line.rstrip("\r")) <= 120)
    if len(lines) < 5 or wrapped < 0.6 * len(lines):
        return text
    text = _HYPHEN_WRAP.sub(lambda m: m.group(1) + "\u200b" * (len(m.group()) - 2), text)
    return _HARD_WRAP.sub(lambda m: m.group(1) + " " * (len(m.group()) - 1), text)


def width(limit: int = MAX_WIDTH) -> int:
    """The terminal's width (80 when unknown), capped at `limit` so lines stay readable."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, limit))


def shown_spans(data: dict[str, Any], min_score: float) -> list[dict[str, Any]]:
    """The spans at or above `min_score`, in reading order."""
    return [s for s in data["spans"] if s["score"] >= min_score - 1e-9]


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


_SPACES = re.compile(r"[ \t]{2,}")


def _display(piece: str) -> str:
    """A piece of article text for the terminal: controls made harmless, the zero-width joins of
    `reflow` dropped, runs of spaces (justified PDF text) shown as one."""
    return _SPACES.sub(" ", printable(piece).replace("\u200b", "").replace("\r", ""))


def _wrap(body: str, cols: int) -> str:
    """Wrap each paragraph (line) of `body` at `cols`, keeping blank lines."""
    return "\n".join(
        textwrap.fill(line.strip(), cols, break_long_words=False, break_on_hyphens=False)
        for line in body.split("\n")
    )


def render_plain(
    data: dict[str, Any], min_score: float = DEFAULT_MIN_SCORE, cols: int | None = None
) -> str:
    """The article with `[marked text](N)` spans, then each mark explained, then a summary.

    Args:
        data: An analysis (see `proplens.views.analysis`).
        min_score: Marks scoring below this are left out and counted as hidden.
        cols: Line width; defaults to the terminal's (at most 100).

    Terminal control characters from the article (ESC, BEL, C1...) are shown as U+FFFD, so an
    article cannot drive the reader's terminal; see `proplens.textutil.printable`.
    """
    cols = cols or width()
    spans = shown_spans(data, min_score)
    body = "".join(
        _display(piece) if kind == "text" else "[" if kind == "open" else f"]({n})"
        for kind, n, piece in numbered_marks(reflow(data["text"]), spans)
    )
    lines = header_lines(data)
    lines += [_wrap(body.strip("\n"), cols), "", *span_lines(data, min_score, cols)]
    lines += ["", *summary_lines(data, min_score, cols)]
    return "\n".join(lines) + "\n"


def header_lines(data: dict[str, Any]) -> list[str]:
    """Title and one line of facts: source, date, URL."""
    out = [printable(data["title"])] if data.get("title") else []
    facts = [printable(str(data[k])) for k in ("source", "date", "url") if data.get(k)]
    if facts:
        out.append(" · ".join(facts))
    return [*out, ""] if out else []


def _percent(score: float) -> str:
    return "<1%" if 0 < score < 0.005 else f"{100 * score:.0f}%"


def _title(technique: str | None) -> str:
    info = BY_NAME.get(technique or "")
    return info.title if info else "Unclassified propaganda"


def span_blocks(
    data: dict[str, Any], min_score: float = DEFAULT_MIN_SCORE, cols: int = 80
) -> list[tuple[dict[str, Any], list[str]]]:
    """Each shown mark with its lines: number, technique title, band and score, then the
    quote, the definition and the runner-ups, indented."""
    out = []
    indent = " " * 6
    for n, s in enumerate(shown_spans(data, min_score), 1):
        label = next(b["label"] for b in BANDS if b["name"] == band(s["score"]))
        quote = printable(" ".join(s["text"].split()))
        quote = quote if len(quote) <= 200 else quote[:199] + "…"
        head = f"{f'({n})':>5} {_title(s['technique'])} · {label.lower()}, {_percent(s['score'])}"
        alts = ", ".join(
            f"{_title(a['technique'])} {_percent(a['score'])}"
            for a in s.get("alternatives", [])[:2]
        )
        body = [f"“{quote}”", s.get("definition") or "", f"Runner-ups: {alts}" if alts else ""]
        lines = [head]
        for part in filter(None, body):
            lines += textwrap.wrap(part, cols, initial_indent=indent, subsequent_indent=indent)
        out.append((s, lines))
    return out


def span_lines(
    data: dict[str, Any], min_score: float = DEFAULT_MIN_SCORE, cols: int = 80
) -> list[str]:
    """The lines of `span_blocks`, one after the other."""
    return [line for _, lines in span_blocks(data, min_score, cols) for line in lines]


def hidden_line(data: dict[str, Any], min_score: float) -> str | None:
    """A sentence on the weaker marks left out, or None when none are."""
    hidden = len(data["spans"]) - len(shown_spans(data, min_score))
    if not hidden:
        return None
    return (
        f"{hidden} weaker mark{'' if hidden == 1 else 's'} (under {_percent(min_score)}) "
        f"{'is' if hidden == 1 else 'are'} not shown; add `--show-weak` to see "
        f"{'it' if hidden == 1 else 'them'}."
    )


def summary_lines(
    data: dict[str, Any], min_score: float = DEFAULT_MIN_SCORE, cols: int = 80, bar: str = "#"
) -> list[str]:
    """Counts and rate of the shown marks, labelled as the model's estimate, with the model's
    measured quality, then one bar per technique scaled to its share of the marks."""
    spans = shown_spans(data, min_score)
    words = data["summary"]["n_words"]
    n = len(spans)
    rate = f"{1000 * n / words:.1f}" if words else "0"
    out = textwrap.wrap(
        f"The model's estimate: {n} mark{'' if n == 1 else 's'} shown, {rate} per 1,000 words "
        f"({words:,} words).",
        cols,
    )
    hidden = hidden_line(data, min_score)
    if hidden:
        out += textwrap.wrap(hidden, cols)
    guide = data.get("reading_guide")
    if guide:
        out += ["", *textwrap.wrap(guide, cols)]
    counts: dict[str, int] = {}
    for s in spans:
        counts[s["technique"] or ""] = counts.get(s["technique"] or "", 0) + 1
    if counts:
        out += ["", "Techniques, by share of the marks shown:"]
        names = sorted(counts, key=lambda t: -counts[t])
        label_w = min(max(len(_title(t)) for t in names), 38)
        for t in names:
            share = counts[t] / n
            out.append(
                f"  {_title(t)[:label_w]:<{label_w}}  {counts[t]:>3}  {100 * share:>3.0f}%  "
                + bar * max(1, round(30 * share))
            )
    return out


def rich_article(data: dict[str, Any], min_score: float = DEFAULT_MIN_SCORE) -> Any:
    """The article as a `rich.text.Text`: each mark in its technique's terminal colour (bold
    when likely, dim when weak), followed by its number on the same colour.

    Terminal control characters from the article are shown as U+FFFD (`printable`).
    """
    from rich.text import Text

    spans = shown_spans(data, min_score)
    text = Text()
    open_spans: list[int] = []
    for kind, n, piece in numbered_marks(reflow(data["text"]), spans):
        if kind == "open":
            open_spans.append(n - 1)  # type: ignore[operator]
        elif kind == "close":
            open_spans.remove(n - 1)  # type: ignore[operator]
            colour = terminal_colour(spans[n - 1]["technique"])  # type: ignore[operator]
            text.append(f"({n})", style=f"bold {colour}")
        elif open_spans:
            s = spans[open_spans[-1]]
            weight = {"likely": "bold ", "possible": "", "weak": "dim "}[band(s["score"])]
            style = f"{weight}underline {terminal_colour(s['technique'])}"
            text.append(_display(piece), style=style)
        else:
            text.append(_display(piece))
    return text


def print_rich(data: dict[str, Any], out: Any, min_score: float = DEFAULT_MIN_SCORE) -> None:
    """Write the colour form of the terminal view to `out`."""
    from rich.console import Console

    console = Console(
        file=out, force_terminal=True, highlight=False, color_system="256", width=width()
    )
    cols = console.width
    for i, line in enumerate(header_lines(data)):
        console.print(line, style="bold" if i == 0 else "dim", markup=False)
    console.print(rich_article(data, min_score))
    console.print()
    for span, lines in span_blocks(data, min_score, cols):
        console.print(lines[0], style=f"bold {terminal_colour(span['technique'])}", markup=False)
        for line in lines[1:]:
            console.print(line, markup=False)
    console.print()
    for line in summary_lines(data, min_score, cols, bar="█"):
        console.print(line, markup=False)

"""The analysis JSON every view shares: what the API returns, `analyze --format json` prints and
the reports embed. `analysis(doc)` is `Doc.to_json()` plus each span's definition, the taxonomy,
a summary (`proplens.summary`), the confidence bands and facts about the model.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from proplens import __version__
from proplens.doc import Doc, Span
from proplens.summary import BANDS, DEFAULT_MIN_SCORE, loaded_sentences, summarize
from proplens.techniques import BY_NAME, TECHNIQUES

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

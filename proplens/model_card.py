"""Generate the README.md model card of a model folder from its config and meta."""

from __future__ import annotations


def _fmt(v) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def model_card(config: dict, meta: dict) -> str:
    """A Markdown model card: what the model is, how it was trained, and its dev scores."""
    tc = meta.get("train_config", {})
    lines = [
        f"# {meta.get('name', 'proplens model')} ({meta.get('version', '?')})",
        "",
        "Propaganda span detector and technique classifier for proplens "
        f"{meta.get('proplens_version', '?')}. "
        "Runs with onnxruntime + tokenizers + numpy (no torch).",
        "",
        "## Architecture",
        "",
        f"- Encoder: {meta.get('base_model')} fine-tuned multi-task, exported to ONNX "
        f"({meta.get('onnx')}).",
        f"- Windows of {config['encoder']['window']} word pieces, stride "
        f"{config['encoder']['stride']}; each token takes the window where it is most central.",
        *(
            [
                "- Input token features (casing, recurrence of the word in the article): "
                f"{config['encoder']['token_features']}."
            ]
            if config["encoder"].get("token_features")
            else []
        ),
        "- Span identification: BIO token tagging"
        f"{' (linear-chain CRF; P = its marginals)' if config['span_detector'].get('crf') else ''}"
        f"; {_inside_rule(config['span_detector'])}; "
        f"span score Platt-calibrated {config['span_detector']['calibration']}.",
        "- Technique classification: MLP over [start, end, mean] hidden states + hand features "
        "(repetition counts, length, quotes, capitals, !/?, position); softmax temperature "
        f"{config['technique_classifier']['temperature']}.",
        *(
            [
                "- Mixed with a lexical model (TF-IDF n-grams of the span and its paragraph + "
                "hand features, logistic regression), weight "
                f"{config['technique_classifier']['lexical_weight']} chosen on the hold-out."
            ]
            if config["technique_classifier"].get("lexical_weight")
            else []
        ),
        f"- Default minimum span score: {config.get('threshold')}.",
        "",
        "## Training",
        "",
        f"- Articles: {len(meta.get('trained_on', []))} (of which "
        f"{len(meta.get('calibration_holdout', []))} held out for calibration only).",
        *(
            [
                f"- Self-training: {meta['pseudo_labels'].get('articles')} unlabelled articles "
                f"labelled by {meta['pseudo_labels'].get('teacher')} "
                f"{meta['pseudo_labels'].get('teacher_version')} (soft labels, "
                "`proplens label`)."
            ]
            if isinstance(meta.get("pseudo_labels"), dict)
            else []
        ),
        f"- Training data SHA-256: `{meta.get('training_data_sha256')}`.",
        f"- Epochs {tc.get('epochs')}, batch {tc.get('batch_size')}, lr {meta.get('encoder_lr')} "
        f"(heads {tc.get('head_lr')}), seed {tc.get('seed')}; {meta.get('train_seconds')} s "
        f"of preparing and fitting (over resumed runs too), epochs timed in this run "
        f"{meta.get('epoch_seconds')} s.",
        f"- torch {meta.get('torch_version')}, transformers {meta.get('transformers_version')}.",
        "",
        "## Scores",
        "",
    ]
    dev = meta.get("dev_scores")
    if dev:
        lines += ["| metric | value |", "|---|---|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in dev.items() if not isinstance(v, dict)]
    else:
        lines.append("No held-out scores recorded for this model (it may include the dev split).")
    protocol = meta.get("dev_protocol_scores")
    if protocol:
        lines += ["", "PTC dev scores of the same recipe trained without dev:", ""]
        lines += ["| metric | value |", "|---|---|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in protocol.items() if not isinstance(v, dict)]
    extra = meta.get("notes")
    if extra:
        lines += ["", "## Notes", "", str(extra)]
    return "\n".join(lines) + "\n"


def _inside_rule(detector: dict) -> str:
    high, low = detector["token_threshold"], detector.get("low_threshold")
    if low is None:
        return f"a token is inside a span when P(B)+P(I) > {high}"
    within = " within its sentence" if detector.get("sentence_bound") else ""
    return (
        f"a span grows from tokens with P(B)+P(I) > {high} over neighbouring tokens with "
        f"P(B)+P(I) > {low}{within}"
    )

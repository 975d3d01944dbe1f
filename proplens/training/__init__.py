"""Training code (needs the `train` extra: torch + transformers). Inference never imports it."""

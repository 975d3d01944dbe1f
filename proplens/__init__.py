"""proplens: find where a news article uses propaganda techniques, down to the character."""

from __future__ import annotations

__version__ = "0.1.0"

from proplens.doc import Doc, Span  # noqa: E402

__all__ = ["Doc", "Span", "__version__", "load"]


def load(path=None, **kwargs):
    """Load a pipeline (the shipped default model when `path` is None).

    Example:
        >>> import proplens
        >>> nlp = proplens.load()
        >>> doc = nlp("They are cowardly traitors.")
    """
    from proplens.pipeline import load as _load

    return _load(path, **kwargs)

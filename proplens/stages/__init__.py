"""The trainable stages a text flows through after normalisation: the encoder
(`proplens.encoder.Encoder`), the span detector and the technique classifier.

Every stage follows one protocol (after spaCy's components and sentence-transformers' modules):
a `name` (its key in config.json), `to_config()` (its settings), `to_disk(folder)` (its files)
and `from_disk(folder, config)`; the detector and classifier separate a pure `predict` (the
classifier's `predict_docs`) from `set_annotations`, which writes into the `Doc`s.
`Pipeline.to_disk` writes config.json from the stages' own settings.

Stages hand spans on through the `Doc`: the detector writes its candidates into the span group
`doc.span_groups["candidates"]` (`span_detector.CANDIDATES`), and the classifier's
`predict_docs` reads them from there; its `set_annotations` writes the technique spans into
`doc.spans`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class Stage(Protocol):
    """What `Pipeline` needs of a stage to save and load it."""

    name: str

    def to_config(self) -> dict[str, Any]: ...

    def to_disk(self, folder: Path) -> None: ...

"""The analysis pipeline: normalise -> one encoder pass -> span detector -> technique classifier.

Example:
    >>> import proplens
    >>> nlp = proplens.load()
    >>> doc = nlp("These cowardly traitors are destroying our great nation!")
    >>> [(s.text, s.technique, round(s.score, 2)) for s in doc.spans]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from proplens import __version__
from proplens.doc import Doc
from proplens.encoder import Encoder
from proplens.errors import ModelError
from proplens.normalize import normalize
from proplens.stages.span_detector import SpanDetector
from proplens.stages.technique_classifier import TechniqueClassifier
from proplens.taxonomy import Taxonomy

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "default"
REQUIRED_FILES = ("model.onnx", "tokenizer.json", "heads.safetensors", "config.json", "meta.json")


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version)[:3])


def check_model_folder(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read `config.json` and `meta.json` of a model folder, or raise `ModelError`.

    Returns:
        `(config, meta)`.
    """
    if not path.is_dir():
        raise ModelError(
            f"No model folder at {path}. Pass the folder written by `proplens train --out`, "
            "or leave the model unset to use the shipped default."
        )
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelError(
            f"The model folder {path} is missing {', '.join(missing)}; a model folder needs "
            f"{', '.join(REQUIRED_FILES)}. Re-run `proplens train` to write it again."
        )
    config, meta = (_read_json_object(path, name) for name in ("config.json", "meta.json"))
    wrote = str(meta.get("proplens_version", "0"))
    if _version_tuple(wrote) > _version_tuple(__version__):
        raise ModelError(
            f"The model at {path} was written by proplens {wrote}, newer than this proplens "
            f"{__version__}; upgrade proplens (`pip install -U proplens`) to load it."
        )
    return config, meta


def _read_json_object(path: Path, name: str) -> dict[str, Any]:
    try:
        value = json.loads((path / name).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"The model folder {path} has a broken JSON file {name}: {exc}.") from None
    if not isinstance(value, dict):
        raise ModelError(
            f"The model folder {path} has a {name} that is not a JSON object; "
            "re-run `proplens train` to write it again."
        )
    return value


class Pipeline:
    """A loaded model: call it on text or a `Doc` to get a new `Doc` with technique spans.

    Args:
        path: The model folder.
        threshold: Minimum span score to keep (None = the model's default).
        threads: onnxruntime threads (None = onnxruntime's default).
    """

    def __init__(
        self, path: str | Path, threshold: float | None = None, threads: int | None = None
    ):
        self.path = Path(path)
        self.config, self.meta = check_model_folder(self.path)
        enc = self.config.get("encoder", {})
        try:
            self.encoder = Encoder(
                self.path,
                window=enc.get("window", 256),
                stride=enc.get("stride", 224),
                threads=threads,
                short_tail=enc.get("short_tail", False),
            )
            self.detector = SpanDetector.from_config(self.config.get("span_detector", {}))
            self.classifier = TechniqueClassifier.from_disk(
                self.path, self.config.get("technique_classifier", {})
            )
        except Exception as exc:  # damaged files: tokenizers, onnxruntime, safetensors errors
            raise ModelError(
                f"The model folder {self.path} could not be loaded ({type(exc).__name__}: "
                f"{str(exc)[:200]}); a file may be damaged. Copy the folder again or re-run "
                "`proplens train`."
            ) from None
        self.threshold = float(
            self.config.get("threshold", 0.0) if threshold is None else threshold
        )
        where = f"The model at {self.path}"
        self.taxonomy = Taxonomy.from_config(self.config.get("taxonomy"), where=where)
        if tuple(self.classifier.labels) != self.taxonomy.labels:
            raise ModelError(
                f"{where} classifies into {', '.join(self.classifier.labels)}, which are not the "
                f"techniques of its taxonomy {self.taxonomy.name} "
                f"({', '.join(self.taxonomy.labels)}); re-run `proplens train` to write it again."
            )

    @property
    def name(self) -> str:
        return str(self.meta.get("name", self.path.name))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "0"))

    @property
    def labels(self) -> tuple[str, ...]:
        return self.classifier.labels

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, version={self.version!r}, threshold={self.threshold})"

    def __call__(self, text_or_doc: str | Doc) -> Doc:
        """Analyse one article and return a new `Doc` (the input's text and metadata kept)."""
        return next(self.pipe([text_or_doc], batch_size=1))

    def pipe(self, docs: Iterable[str | Doc], batch_size: int = 8) -> Iterator[Doc]:
        """Analyse articles in batches; yields one new `Doc` per input, in order."""
        it = iter(docs)
        while batch := list(islice(it, max(1, batch_size))):
            yield from self._run([_as_doc(d) for d in batch])

    def _prepare(self, docs: list[Doc]):
        cleaned = [normalize(d.text) for d in docs]
        texts = [c for c, _ in cleaned]
        return texts, [m for _, m in cleaned], self.encoder.encode(texts)

    def _run(self, docs: list[Doc]) -> list[Doc]:
        return self._decode(docs, *self._prepare(docs))

    def _decode(self, docs: list[Doc], texts, maps, encoded) -> list[Doc]:
        out = [d.copy(with_spans=False) for d in docs]
        cands = self.detector.predict(texts, encoded)
        self.detector.set_annotations(out, cands, maps)
        probs = self.classifier.predict(
            texts, encoded, [[(c.start, c.end) for c in cs] for cs in cands]
        )
        self.classifier.set_annotations(out, probs)
        for d in out:
            d.spans = sorted(
                (s for s in d.spans if s.score >= self.threshold), key=lambda s: (s.start, s.end)
            )
        return out

    def classify(self, docs: Iterable[Doc], batch_size: int = 8) -> Iterator[np.ndarray]:
        """Technique probabilities for the given spans of each doc (TC on known spans).

        Yields:
            Per doc, an array `(len(doc.spans), len(labels))` in the order of `doc.spans`.
        """
        it = iter(docs)
        while batch := list(islice(it, max(1, batch_size))):
            texts, maps, encoded = self._prepare(batch)
            spans = []
            for d, omap, text in zip(batch, maps, texts, strict=True):
                spans.append([_to_clean(omap, s.start, s.end, text) for s in d.spans])
            yield from self.classifier.predict(texts, encoded, spans)


def _to_clean(omap, start: int, end: int, text: str) -> tuple[int, int]:
    mapped = omap.to_clean(start, end, alignment_mode="strict")
    if mapped is None:  # the span covers only characters normalisation removed
        pos = min(int(np.searchsorted(omap.raw_index, start)), max(len(text) - 1, 0))
        return pos, min(pos + 1, len(text))
    return mapped


def _as_doc(obj: str | Doc) -> Doc:
    if isinstance(obj, Doc):
        return obj
    if isinstance(obj, str):
        return Doc(obj)
    raise TypeError(f"Expected a str or a Doc to analyse, not {type(obj).__name__}.")


def load(path: str | Path | None = None, threshold: float | None = None, **kwargs) -> Pipeline:
    """Load a pipeline from a model folder (None = the default model shipped in the package).

    Args:
        path: A folder written by `proplens train`.
        threshold: Minimum span score to keep (None = the model's default).
    Returns:
        The `Pipeline`.
    """
    return Pipeline(DEFAULT_MODEL if path is None else path, threshold=threshold, **kwargs)

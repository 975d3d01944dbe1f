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

from proplens import __version__, long_text
from proplens.cancel import check, current
from proplens.doc import Doc
from proplens.encoder import Encoder
from proplens.errors import ModelError
from proplens.normalize import quote_style, requote
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
        try:
            self.encoder = Encoder.from_disk(self.path, self.config.get("encoder", {}), threads)
            self.detector = SpanDetector.from_disk(self.path, self.config.get("span_detector", {}))
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
        # Every model call first checks whether its analysis was cancelled (proplens.cancel):
        # a call covers two windows, so a cancelled analysis stops within a fraction of a second.
        self.encoder.session = _CheckedSession(self.encoder.session)
        self.quotes = quote_style(self.config)
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

    @property
    def stages(self) -> list:
        """The stages in the order a text flows through them (after normalisation)."""
        return [self.encoder, self.detector, self.classifier]

    def to_config(self) -> dict[str, Any]:
        """config.json, written from the stages' own settings."""
        cfg: dict[str, Any] = {"format": self.config.get("format", 1)}
        cfg.update({stage.name: stage.to_config() for stage in self.stages})
        cfg["threshold"] = self.config.get("threshold", 0.0)
        if "normalize" in self.config:
            cfg["normalize"] = dict(self.config["normalize"])
        cfg["taxonomy"] = self.taxonomy.to_config()
        return cfg

    def to_disk(self, path: str | Path) -> Path:
        """Write the model as a self-describing folder: each stage's files, config.json from
        the stages' settings, meta.json and the model card. `proplens.load(path)` reads it back.
        """
        from proplens.model_card import model_card

        folder = Path(path)
        if folder.exists() and folder.resolve() == self.path.resolve():
            raise ModelError(f"{folder} is the folder this model was loaded from; pick another.")
        folder.mkdir(parents=True, exist_ok=True)
        for stage in self.stages:
            stage.to_disk(folder)
        cfg = self.to_config()
        (folder / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        (folder / "meta.json").write_text(json.dumps(self.meta, indent=2) + "\n", encoding="utf-8")
        (folder / "README.md").write_text(model_card(cfg, self.meta), encoding="utf-8")
        return folder

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

    def model_text(self, doc: Doc) -> tuple[str, Any]:
        """The text this model reads for `doc` and its offset map back to `doc.text`.

        The Doc's own normalisation (`Doc.clean`, made once per Doc and shared with every
        view), with its quotes in the style the model reads (`proplens.normalize.requote`).
        """
        return requote(doc.clean, self.quotes), doc.offset_map

    def _prepare(self, docs: list[Doc]):
        cleaned = [self.model_text(d) for d in docs]
        texts = [c for c, _ in cleaned]
        return texts, [m for _, m in cleaned], self.encoder.encode(texts)

    def _run(self, docs: list[Doc]) -> list[Doc]:
        cleaned = [self.model_text(d) for d in docs]
        long = [len(c) > long_text.SEGMENT_CHARS for c, _ in cleaned]
        short = [i for i, is_long in enumerate(long) if not is_long]
        out: list[Doc | None] = [None] * len(docs)
        if short:
            texts = [cleaned[i][0] for i in short]
            done = self._decode(
                [docs[i] for i in short],
                texts,
                [cleaned[i][1] for i in short],
                self.encoder.encode(texts),
            )
            for i, d in zip(short, done, strict=True):
                out[i] = d
        for i, is_long in enumerate(long):
            if is_long:
                out[i] = self._run_segments(docs[i], *cleaned[i])
        return out  # type: ignore[return-value]

    def _run_segments(self, doc: Doc, text: str, omap) -> Doc:
        """Analyse a text longer than `long_text.SEGMENT_CHARS` one segment at a time, each
        encoded, decoded and dropped before the next (`proplens.long_text`)."""
        parts = (
            self._decode([doc], [piece], [pmap], self.encoder.encode([piece]))[0]
            for piece, pmap in long_text.pieces(text, omap, long_text.SEGMENT_CHARS)
        )
        return long_text.merge(doc, parts)

    def _decode(self, docs: list[Doc], texts, maps, encoded) -> list[Doc]:
        # The detector writes its candidates into each Doc (span group "candidates"); the
        # classifier reads them from there and writes the technique spans.
        out = [d.copy(with_spans=False) for d in docs]
        self.detector.set_annotations(out, self.detector.predict(texts, encoded), maps)
        probs = self.classifier.predict_docs(out, texts, encoded, maps)
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
            yield from self.classifier.predict_docs(batch, texts, encoded, maps, group=None)


class _CheckedSession:
    """An onnxruntime session whose `run` checks for cancellation (`proplens.cancel`) first, and
    is aborted in flight (onnxruntime's `RunOptions.terminate`) when cancelled meanwhile."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        check()
        token = current()
        if token is None or run_options is not None:
            return self._session.run(output_names, input_feed, run_options)
        import onnxruntime as ort

        options = ort.RunOptions()
        token.on_cancel(lambda: setattr(options, "terminate", True))
        try:
            return self._session.run(output_names, input_feed, options)
        except Exception:
            check()  # aborted by the terminate flag: say so as `Cancelled`
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _as_doc(obj: str | Doc) -> Doc:
    if isinstance(obj, Doc):
        return obj
    if isinstance(obj, str):
        return Doc(obj)
    raise TypeError(f"Expected a str or a Doc to analyse, not {type(obj).__name__}.")


def load(path: str | Path | None = None, threshold: float | None = None, **kwargs) -> Pipeline:
    """Load a pipeline from a model folder (None = the default model shipped in the package).

    Args:
        path: A folder written by `proplens train`, or a shipped model's name (`fast`,
            `accurate`); None gives the default shipped model (`proplens models`).
        threshold: Minimum span score to keep (None = the model's default).
    Returns:
        The `Pipeline`.
    """
    from proplens.shipped import resolve_model

    return Pipeline(resolve_model(path), threshold=threshold, **kwargs)

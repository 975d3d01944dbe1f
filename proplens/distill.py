"""Soft labels from a teacher model, for self-training and distillation (`proplens label`).

A teacher (any loaded `Pipeline`) reads unlabelled articles and writes what it believes about
each: per word piece, P(outside / begins / inside a span); per candidate span, its score and its
technique distribution. A student then trains on gold articles plus these soft labels
(`proplens train --pseudo DIR`).

The labels live in a folder of chunks, `chunk-00000.safetensors` (the arrays) and
`chunk-00000.jsonl` (one article a line: id, raw text, hash of the clean text), written
atomically, the JSONL last; a rerun skips the chunks already written, so labelling resumes
after a kill. Offsets are into the clean text (`proplens.normalize`), which the student
recomputes and checks against the stored hash. Only numpy and safetensors are needed (no
pickle, no torch).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.leave_out import LeaveOut

LABELS_JSON = "labels.json"
ARRAYS = ("offsets", "probs", "spans", "span_score", "span_probs", "tok_index", "span_index")


@dataclass
class SoftDoc:
    """One article as the teacher saw it.

    Args:
        id: The article id.
        text: The article's raw text (offsets refer to `normalize(text)`).
        clean_sha1: SHA-1 of the clean text the offsets refer to.
        offsets: `(n, 2)` clean character offsets of the teacher's word pieces.
        probs: `(n, 3)` P(O), P(B), P(I) per word piece.
        spans: `(m, 2)` clean character offsets of the teacher's candidate spans.
        span_score: `(m,)` each candidate's calibrated score.
        span_probs: `(m, n_labels)` each candidate's technique distribution.
    """

    id: str
    text: str
    clean_sha1: str
    offsets: np.ndarray
    probs: np.ndarray
    spans: np.ndarray
    span_score: np.ndarray
    span_probs: np.ndarray


def clean_sha1(clean: str) -> str:
    """SHA-1 of a clean text with its quotes folded, so a teacher and a student that differ only
    in their quote style agree on it (folding keeps every offset)."""
    from proplens.normalize import QUOTE_FOLD

    return hashlib.sha1(clean.translate(QUOTE_FOLD).encode("utf-8", "surrogatepass")).hexdigest()


def teacher_labels(pipeline, docs: list[Doc]) -> list[SoftDoc]:
    """Run the teacher on a batch of articles; return its soft labels (a pure function)."""
    from proplens.stages.span_detector import softmax

    texts, maps, encoded = pipeline._prepare(docs)
    cands = pipeline.detector.predict(texts, encoded)
    # The classifier reads the candidates from the Doc (span group "candidates"), as in the
    # pipeline; the stored spans stay the detector's clean offsets.
    annotated = [d.copy(with_spans=False) for d in docs]
    pipeline.detector.set_annotations(annotated, cands, maps)
    probs = pipeline.classifier.predict_docs(annotated, texts, encoded, maps)
    out = []
    for doc, text, enc, cs, p in zip(docs, texts, encoded, cands, probs, strict=True):
        n_labels = len(pipeline.labels)
        out.append(
            SoftDoc(
                id=str(doc.id),
                text=doc.text,
                clean_sha1=clean_sha1(text),
                offsets=enc.offsets.astype(np.int32),
                probs=softmax(enc.tag_logits.astype(np.float32)).astype(np.float16),
                spans=np.array([(c.start, c.end) for c in cs], np.int32).reshape(-1, 2),
                span_score=np.array([c.score for c in cs], np.float16),
                span_probs=np.asarray(p, np.float16).reshape(-1, n_labels),
            )
        )
    return out


def sample_docs(docs: Iterable[Doc], n: int | None, seed: int = 0) -> list[Doc]:
    """A uniform random sample of `n` articles (reservoir sampling; all of them when None), in a
    order fixed by the seed, so a rerun sees the same articles in the same order."""
    rng = random.Random(seed)
    if n is None:
        pool = list(docs)
        rng.shuffle(pool)
        return pool
    pool = []
    for i, d in enumerate(docs):
        if i < n:
            pool.append(d)
        elif (j := rng.randint(0, i)) < n:
            pool[j] = d
    rng.shuffle(pool)
    return pool


def sample_inputs(
    inputs, n: int | None, seed: int = 0, min_words: int = 0, leave_out: LeaveOut | None = None
) -> list[Doc]:
    """`sample_docs` over the articles of INPUTS (files, folders, JSONL dumps) with at least
    `min_words` words and, given `leave_out`, none of the held-out text; read as a stream."""
    from proplens.ingest import iter_docs

    docs = (d for d in iter_docs(list(inputs)) if len(d.text.split()) >= min_words)
    if leave_out is not None:
        docs = (d for d in docs if leave_out.keep(d))
    return sample_docs(docs, n, seed)


class SoftLabelStore:
    """A folder of soft-label chunks.

    Args:
        folder: Where the chunks live.
        chunk_size: Articles per chunk.
    """

    def __init__(self, folder: str | Path, chunk_size: int = 50):
        self.folder = Path(folder)
        self.chunk_size = chunk_size

    def _name(self, i: int) -> Path:
        return self.folder / f"chunk-{i:05d}"

    def done(self) -> list[int]:
        """Indices of the chunks fully written (their JSONL exists)."""
        return sorted(int(p.stem.split("-")[1]) for p in self.folder.glob("chunk-*.jsonl"))

    def write_header(self, header: dict) -> None:
        """Record the teacher and the inputs; refuse to mix labels from another teacher."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / LABELS_JSON
        if path.is_file():
            old = json.loads(path.read_text(encoding="utf-8"))
            keys = ("teacher", "teacher_version", "labels", "inputs", "sample", "seed", "leave_out")
            if any(old.get(k) != header.get(k) for k in keys):
                raise ProplensError(
                    f"{self.folder} holds soft labels from another teacher or sample "
                    f"({old.get('teacher')} {old.get('teacher_version')}, sample "
                    f"{old.get('sample')}, seed {old.get('seed')}, left out "
                    f"{old.get('leave_out') or 'nothing'}); label into a new folder."
                )
            return
        path.write_text(json.dumps(header, indent=2) + "\n", encoding="utf-8")

    def header(self) -> dict:
        path = self.folder / LABELS_JSON
        if not path.is_file():
            raise ProplensError(
                f"{self.folder} holds no soft labels ({LABELS_JSON} is missing); write them "
                "with `proplens label`."
            )
        return json.loads(path.read_text(encoding="utf-8"))

    def write_chunk(self, i: int, docs: list[SoftDoc]) -> None:
        """Write chunk `i` atomically: arrays first, then the JSONL that marks it complete."""
        from safetensors.numpy import save_file

        base = self._name(i)
        arrays = {
            "offsets": _cat([d.offsets for d in docs], (0, 2), np.int32),
            "probs": _cat([d.probs for d in docs], (0, 3), np.float16),
            "spans": _cat([d.spans for d in docs], (0, 2), np.int32),
            "span_score": _cat([d.span_score for d in docs], (0,), np.float16),
            "span_probs": _cat(
                [d.span_probs for d in docs], (0, docs[0].span_probs.shape[1]), np.float16
            ),
            "tok_index": np.cumsum([0] + [len(d.offsets) for d in docs]).astype(np.int64),
            "span_index": np.cumsum([0] + [len(d.spans) for d in docs]).astype(np.int64),
        }
        tmp = base.with_suffix(".safetensors.tmp")
        save_file(arrays, str(tmp))
        tmp.replace(base.with_suffix(".safetensors"))
        lines = [json.dumps({"id": d.id, "text": d.text, "clean_sha1": d.clean_sha1}) for d in docs]
        tmp = base.with_suffix(".jsonl.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(base.with_suffix(".jsonl"))

    def read(self, limit: int | None = None) -> Iterator[SoftDoc]:
        """The stored soft docs, chunk by chunk (at most `limit`)."""
        from safetensors.numpy import load_file

        n = 0
        for i in self.done():
            base = self._name(i)
            arrays = load_file(str(base.with_suffix(".safetensors")))
            rows = base.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()
            ti, si = arrays["tok_index"], arrays["span_index"]
            for k, line in enumerate(rows):
                if limit is not None and n >= limit:
                    return
                rec = json.loads(line)
                yield SoftDoc(
                    id=rec["id"],
                    text=rec["text"],
                    clean_sha1=rec["clean_sha1"],
                    offsets=arrays["offsets"][ti[k] : ti[k + 1]],
                    probs=arrays["probs"][ti[k] : ti[k + 1]],
                    spans=arrays["spans"][si[k] : si[k + 1]],
                    span_score=arrays["span_score"][si[k] : si[k + 1]],
                    span_probs=arrays["span_probs"][si[k] : si[k + 1]],
                )
                n += 1


def _cat(parts: list[np.ndarray], empty: tuple[int, ...], dtype) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(empty, dtype)


def label_corpus(
    pipeline,
    docs: list[Doc],
    store: SoftLabelStore,
    header: dict,
    progress: bool = True,
) -> int:
    """Label `docs` chunk by chunk into `store`, skipping chunks already written.

    Returns:
        The number of articles labelled now.
    """
    store.write_header(header)
    done = set(store.done())
    chunks = [docs[i : i + store.chunk_size] for i in range(0, len(docs), store.chunk_size)]
    todo = [i for i in range(len(chunks)) if i not in done]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(docs), initial=len(docs) - sum(len(chunks[i]) for i in todo))
        bar.set_description("label")
    n = 0
    for i in todo:
        soft: list[SoftDoc] = []
        for j in range(0, len(chunks[i]), 4):
            batch = chunks[i][j : j + 4]
            soft.extend(teacher_labels(pipeline, batch))
            if bar:
                bar.update(len(batch))
        store.write_chunk(i, soft)
        n += len(soft)
    if bar:
        bar.close()
    return n

"""Read SemEval-2023 Task 3 (subtask 3, English) articles and span files into Docs.

Span files are `article<ID>-labels-subtask-3.txt` with tab-separated rows
`id technique start end`; offsets are half-open Python `str` indices into the article.
Labels are mapped onto the 14 PTC labels (`proplens.techniques.from_semeval2023`).
"""

from __future__ import annotations

from pathlib import Path

from proplens.corpus.semeval import read_articles
from proplens.doc import Doc
from proplens.errors import CorpusFormatError, UnknownTechniqueError
from proplens.techniques import SEMEVAL2023_LABELS, from_semeval2023

SPAN_FILE_SUFFIX = "-labels-subtask-3.txt"


def _read_span_file(path: Path, doc: Doc, map_to_ptc: bool) -> None:
    text = path.read_bytes().decode("utf-8")
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        fields = line.rstrip("\r").split("\t")
        if len(fields) != 4:
            raise CorpusFormatError(
                f"{where}: expected 4 tab-separated columns (`id technique start end`) "
                f"but found {len(fields)}."
            )
        aid, label, start_s, end_s = (f.strip() for f in fields)
        if aid != doc.id:
            raise CorpusFormatError(f"{where}: the row names article {aid}, not {doc.id}.")
        try:
            technique = from_semeval2023(label) if map_to_ptc else label
        except UnknownTechniqueError:
            raise CorpusFormatError(
                f"{where}: unknown SemEval-2023 technique {label!r}. "
                f"Expected one of: {', '.join(SEMEVAL2023_LABELS)}."
            ) from None
        if not map_to_ptc and label not in SEMEVAL2023_LABELS:
            raise CorpusFormatError(f"{where}: unknown SemEval-2023 technique {label!r}.")
        try:
            start, end = int(start_s), int(end_s)
        except ValueError:
            raise CorpusFormatError(
                f"{where}: offsets {start_s!r}, {end_s!r} are not whole numbers."
            ) from None
        if not 0 <= start < end <= len(doc.text):
            raise CorpusFormatError(
                f"{where}: the span [{start}, {end}) does not fit article {doc.id} of "
                f"{len(doc.text)} characters (need 0 <= start < end <= length)."
            )
        if technique is not None:
            doc.add_span(start, end, technique, 1.0)


def read_semeval2023(
    articles_dir: str | Path, spans_dir: str | Path, map_to_ptc: bool = True
) -> list[Doc]:
    """Read SemEval-2023 subtask-3 articles with their gold spans, sorted by article id.

    Args:
        articles_dir: Folder of `article<ID>.txt` files.
        spans_dir: Folder of `article<ID>-labels-subtask-3.txt` span files; an article
            without one gets no spans.
        map_to_ptc: Map labels onto the 14 PTC labels, skipping those that have no
            counterpart (e.g. Obfuscation-Vagueness-Confusion); if False keep the 2023 labels.

    Raises:
        CorpusFormatError: on a bad row, naming file and line.
    """
    docs = read_articles(articles_dir)
    spans_dir = Path(spans_dir)
    if not spans_dir.is_dir():
        raise CorpusFormatError(f"Span folder {spans_dir} does not exist or is not a folder.")
    for aid, doc in docs.items():
        path = spans_dir / f"article{aid}{SPAN_FILE_SUFFIX}"
        if path.is_file():
            _read_span_file(path, doc, map_to_ptc)
    return list(docs.values())

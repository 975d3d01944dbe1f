"""Corpus formats at the edges: SemEval-2020 Task 11 (PTC) and SemEval-2023 Task 3."""

from proplens.corpus.semeval import (
    LabelRow,
    attach_labels,
    docs_to_rows,
    load_split,
    read_article,
    read_articles,
    read_corpus,
    read_labels,
    write_labels,
)

__all__ = [
    "LabelRow",
    "attach_labels",
    "docs_to_rows",
    "load_split",
    "read_article",
    "read_articles",
    "read_corpus",
    "read_labels",
    "write_labels",
]

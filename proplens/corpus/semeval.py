"""Read and write SemEval-2020 Task 11 (PTC) articles and `.labels` files.

Articles are `article<ID>.txt` files read byte-exactly (UTF-8, "\\r\\n" kept) so that the
offsets in the label files stay valid. Label files are tab-separated, one row a line:
`id start end` for task SI, `id technique start end` for tasks TC and FLC (a TC template
has `?` as technique). Offsets are half-open `[start, end)` Python `str` indices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from proplens.doc import Doc, Span
from proplens.errors import CorpusFormatError
from proplens.iohelpers import atomic_write
from proplens.taxonomy import Taxonomy
from proplens.techniques import BY_NAME, LABELS

TASKS = ("flc", "si", "tc")
UNKNOWN_TECHNIQUE = "?"
_ARTICLE_ID = re.compile(r"article(\d+)")
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")  # ids that are safe inside a file name
# Per-article label file suffixes in the PTC layout, by task.
LABEL_SUFFIX = {"si": ".task-si.labels", "flc": ".task-flc-tc.labels", "tc": ".task-flc-tc.labels"}


@dataclass(frozen=True)
class LabelRow:
    """One row of a SemEval label file.

    Args:
        article_id: The article id (digits of `article<ID>.txt`).
        start: First character offset (inclusive).
        end: Last character offset (exclusive).
        technique: The PTC label; None for SI rows and for `?` rows of a TC template.
        source: The file the row came from ("" when built in memory).
        line: The 1-based line number in `source` (0 when built in memory).
    """

    article_id: str
    start: int
    end: int
    technique: str | None = None
    source: str = ""
    line: int = 0

    def where(self) -> str:
        return f"{self.source}, line {self.line}" if self.source else "an in-memory row"


def article_id_from_path(path: str | Path) -> str:
    """The id of an article file: the digits in `article<ID>.txt`, else the file stem."""
    name = Path(path).name
    match = _ARTICLE_ID.match(name)
    return match.group(1) if match else name.split(".")[0]


def _id_key(article_id: str | None) -> tuple[int, int, str]:
    aid = article_id or ""
    return (0, int(aid), aid) if aid.isdigit() else (1, 0, aid)


def read_article(path: str | Path) -> Doc:
    """Read one `article<ID>.txt` file into a Doc, keeping every byte of the text.

    Args:
        path: The article file.

    Returns:
        A Doc with `id` from the file name, `title` from the first line, and no spans.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusFormatError(
            f"Article {path} is not valid UTF-8 (bad byte at {exc.start}); "
            "SemEval articles are UTF-8 text."
        ) from None
    title = text.split("\n", 1)[0].strip() or None
    return Doc(text=text, id=article_id_from_path(path), title=title)


def read_articles(folder: str | Path) -> dict[str, Doc]:
    """Read every `article*.txt` in `folder` into Docs keyed by id, sorted by id.

    Raises:
        CorpusFormatError: if the folder holds no article files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusFormatError(f"Articles folder {folder} does not exist or is not a folder.")
    docs = [read_article(p) for p in folder.glob("article*.txt")]
    if not docs:
        raise CorpusFormatError(f"No `article<ID>.txt` files found in {folder}.")
    return {d.id: d for d in sorted(docs, key=lambda d: _id_key(d.id))}  # type: ignore[misc]


def _label_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(".labels"))
        if not files:
            raise CorpusFormatError(f"No `.labels` files found in folder {path}.")
        return files
    if not path.exists():
        raise CorpusFormatError(f"Label file {path} does not exist.")
    return [path]


def _parse_int(value: str, what: str, where: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CorpusFormatError(
            f"{where}: the {what} offset {value!r} is not a whole number."
        ) from None


def _parse_line(
    line: str, task: str, source: str, number: int, taxonomy: Taxonomy | None = None
) -> LabelRow:
    fields = line.split("\t") if "\t" in line else line.split()
    fields = [f.strip() for f in fields]
    where = f"{source}, line {number}"
    expected = 3 if task == "si" else 4
    if len(fields) != expected:
        shape = "`id start end`" if task == "si" else "`id technique start end`"
        raise CorpusFormatError(
            f"{where}: expected {expected} tab-separated columns ({shape}) for task "
            f"{task.upper()} but found {len(fields)}."
        )
    article_id = fields[0]
    if not article_id:
        raise CorpusFormatError(f"{where}: the article id column is empty.")
    technique: str | None = None
    if task != "si":
        technique = fields[1]
        if technique == UNKNOWN_TECHNIQUE and task == "tc":
            technique = None
        elif technique not in (taxonomy.by_name if taxonomy else BY_NAME):
            labels = taxonomy.labels if taxonomy else LABELS
            named = f" of the {taxonomy.name} taxonomy" if taxonomy else ""
            raise CorpusFormatError(
                f"{where}: unknown technique {technique!r}{named}. Expected one of: "
                f"{', '.join(labels)}" + (" (or `?` in a TC template)." if task == "tc" else ".")
            )
    start = _parse_int(fields[-2], "start", where)
    end = _parse_int(fields[-1], "end", where)
    if start < 0:
        raise CorpusFormatError(f"{where}: the start offset {start} is negative.")
    if start >= end:
        raise CorpusFormatError(
            f"{where}: the start offset {start} must be smaller than the end offset {end}."
        )
    return LabelRow(article_id, start, end, technique, source, number)


def _detect_task(lines: list[str], task: str) -> str:
    if task != "auto":
        if task not in TASKS:
            raise CorpusFormatError(f"Unknown task {task!r}. Expected one of: si, tc, flc, auto.")
        return task
    for line in lines:
        if line.strip():
            n = len(line.split("\t") if "\t" in line else line.split())
            return "si" if n <= 3 else "tc"  # too few columns: report them against SI's 3
    return "tc"


def read_labels(
    path_or_folder: str | Path, task: str = "flc", taxonomy: Taxonomy | None = None
) -> list[LabelRow]:
    """Read a `.labels` file, or every `*.labels` file of a folder (sorted by name).

    Args:
        path_or_folder: A single label file or a folder of per-article label files.
        task: "si" (3 columns), "flc" or "tc" (4 columns; "tc" also accepts `?` as
            technique), or "auto" (guessed from the first row of each file).
        taxonomy: The techniques rows may name (default: the 14 PTC techniques).

    Returns:
        The rows in file order; blank lines are skipped.

    Raises:
        CorpusFormatError: on a row with the wrong number of columns, a non-integer or
            negative offset, start >= end, or an unknown technique, naming file and line.
    """
    rows: list[LabelRow] = []
    for file in _label_files(Path(path_or_folder)):
        try:
            text = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise CorpusFormatError(f"Label file {file} is not valid UTF-8 text.") from None
        lines = text.split("\n")
        file_task = _detect_task(lines, task)
        for number, line in enumerate(lines, 1):
            if line.strip():
                row = _parse_line(line.rstrip("\r"), file_task, str(file), number, taxonomy)
                rows.append(row)
    return rows


def attach_labels(docs: Iterable[Doc], rows: Iterable[LabelRow]) -> list[Doc]:
    """Add each row as a gold span (score 1.0) to the Doc with its article id.

    Returns:
        The same Docs, in the order given.

    Raises:
        CorpusFormatError: if a row names an unknown article or runs past the article's end.
    """
    docs = list(docs)
    by_id = {d.id: d for d in docs}
    for row in rows:
        doc = by_id.get(row.article_id)
        if doc is None:
            raise CorpusFormatError(
                f"{row.where()}: article {row.article_id} is not among the articles read."
            )
        if row.end > len(doc.text):
            raise CorpusFormatError(
                f"{row.where()}: the span [{row.start}, {row.end}) runs past the end of article "
                f"{row.article_id}, which has {len(doc.text)} characters."
            )
        doc.add_span(row.start, row.end, row.technique, 1.0)
    return docs


def default_labels_path(articles_dir: str | Path, task: str = "flc") -> Path | None:
    """Find the gold labels for a PTC articles folder, e.g. `dev-articles` ->
    `dev-task-flc-tc.labels` or `dev-labels-task-flc-tc/`; None when there are none."""
    articles_dir = Path(articles_dir)
    prefix = articles_dir.name.removesuffix("-articles")
    kind = "si" if task == "si" else "flc-tc"
    for candidate in (
        articles_dir.parent / f"{prefix}-task-{kind}.labels",
        articles_dir.parent / f"{prefix}-labels-task-{kind}",
    ):
        if candidate.exists():
            return candidate
    return None


def read_corpus(
    articles_dir: str | Path,
    labels: str | Path | None = None,
    task: str = "flc",
    taxonomy: Taxonomy | None = None,
) -> list[Doc]:
    """Read a PTC-style folder into Docs with gold spans, sorted by article id.

    Args:
        articles_dir: Folder of `article<ID>.txt` files.
        labels: A `.labels` file or folder of them; found next to `articles_dir` when None.
        task: "flc", "tc" or "si" (how the label rows are read).
        taxonomy: The techniques rows may name (default: the 14 PTC techniques).

    Raises:
        CorpusFormatError: if no labels are found or a row is bad.

    Example:
        >>> docs = read_corpus("../shared/corpora/ptc/dev-articles")  # doctest: +SKIP
    """
    if labels is None:
        labels = default_labels_path(articles_dir, task)
        if labels is None:
            raise CorpusFormatError(
                f"No gold labels found next to {articles_dir} for task {task.upper()}; "
                "pass the `labels` path explicitly."
            )
    docs = read_articles(articles_dir)
    return attach_labels(docs.values(), read_labels(labels, task, taxonomy))


def load_split(
    ptc_root: str | Path, split: str = "train", task: str = "flc", taxonomy: Taxonomy | None = None
) -> list[Doc]:
    """Read the `train` or `dev` split of a PTC folder with its gold spans."""
    if split not in ("train", "dev"):
        raise CorpusFormatError(f"Unknown split {split!r}. Expected `train` or `dev`.")
    return read_corpus(Path(ptc_root) / f"{split}-articles", task=task, taxonomy=taxonomy)


def docs_to_rows(docs: Iterable[Doc]) -> list[LabelRow]:
    """One row per span, Docs in the order given, spans in their stored order."""
    return [LabelRow(d.id or "", s.start, s.end, s.technique) for d in docs for s in d.spans]


def format_row(row: LabelRow | Span, task: str, article_id: str | None = None) -> str:
    """One label-file line (without the newline) for `row` in the column order of `task`."""
    aid = article_id if article_id is not None else getattr(row, "article_id", "")
    if task == "si":
        return f"{aid}\t{row.start}\t{row.end}"
    if row.technique is None or row.technique == UNKNOWN_TECHNIQUE:
        if task != "tc":
            raise CorpusFormatError(
                f"A span [{row.start}, {row.end}) of article {aid} has no technique; "
                "task FLC needs one on every row (use task `si` to write spans only)."
            )
        return f"{aid}\t{UNKNOWN_TECHNIQUE}\t{row.start}\t{row.end}"
    return f"{aid}\t{row.technique}\t{row.start}\t{row.end}"


def write_labels(
    path: str | Path, docs_or_rows: Iterable[Doc] | Iterable[LabelRow], task: str = "flc"
) -> Path:
    """Write Docs' spans or label rows in the SemEval format ("\\t" columns, "\\n" endings).

    Args:
        path: The output file; if it is an existing folder, one
            `article<ID>.task-<kind>.labels` file per Doc is written into it instead.
        docs_or_rows: Docs (every span becomes a row) or `LabelRow`s (written in order).
        task: "flc" or "tc" (`id technique start end`) or "si" (`id start end`).

    Returns:
        The path written.
    """
    if task not in TASKS:
        raise CorpusFormatError(f"Unknown task {task!r}. Expected one of: si, tc, flc.")
    items = list(docs_or_rows)
    path = Path(path)
    if path.is_dir():
        docs = [d for d in items if isinstance(d, Doc)]
        if len(docs) != len(items):
            raise CorpusFormatError("Writing into a folder needs Docs, not label rows.")
        for doc in docs:
            if not _SAFE_ID.fullmatch(doc.id or ""):
                raise CorpusFormatError(
                    f"Cannot name a label file after the article id {doc.id!r}: writing into a "
                    "folder needs ids made of letters, digits, `_` and `-` only."
                )
            _write(path / f"article{doc.id}{LABEL_SUFFIX[task]}", docs_to_rows([doc]), task)
        return path
    rows = docs_to_rows(items) if items and isinstance(items[0], Doc) else items  # type: ignore[arg-type]
    _write(path, rows, task)  # type: ignore[arg-type]
    return path


def _write(path: Path, rows: list[LabelRow], task: str) -> None:
    body = "".join(format_row(r, task) + "\n" for r in rows)
    with atomic_write(path) as f:
        f.write(body)

"""`proplens extract`: show the clean text and metadata a model would see."""

from __future__ import annotations

import json
from typing import Any

import click

from proplens.doc import Doc
from proplens.errors import IngestError
from proplens.ingest import MAX_BYTES_ENV, IngestIssue, iter_docs
from proplens.textutil import printable


def extract_doc(doc: Doc) -> dict[str, Any]:
    """Everything `extract --json` prints for one document.

    Returns:
        `id` and the metadata fields that are set, `text` (the raw `Doc.text`), `clean`,
        `offset_map` (`{"raw_length", "clean_length", "segments"}` where each segment
        `[clean_start, raw_start, length]` says that `clean[c:c+n]` came from `text[r:r+n]`
        character by character; an inserted space or newline is a segment of length 1 pointing at
        the line break it replaces) and `sentences` (`[start, end]` offsets into `clean`).
    """
    out: dict[str, Any] = {"id": doc.id}
    out.update(doc.meta())
    out["text"] = doc.text
    out["clean"] = doc.clean
    out["offset_map"] = doc.offset_map.to_json()
    out["sentences"] = [list(s) for s in doc.clean_sentences]
    return out


def _header(doc: Doc) -> str:
    meta = doc.meta()
    lines = [f"id: {doc.id}"] + [f"{k}: {v}" for k, v in meta.items() if k != "id"]
    return "\n".join(lines)


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE|-|DIR...")
@click.option("--glob", "glob", default="*", show_default=True, help="File pattern inside folders.")
@click.option(
    "--recursive/--no-recursive", default=True, show_default=True, help="Look in sub-folders."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per article (JSON Lines)."
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    envvar=MAX_BYTES_ENV,
    default=None,
    help=f"Largest input to read, in bytes (default 20 MB; env {MAX_BYTES_ENV}).",
)
def extract_cmd(
    inputs: tuple[str, ...], glob: str, recursive: bool, as_json: bool, max_bytes: int | None
) -> None:
    """Read articles (text, HTML, PDF, JSON Lines; `-` for stdin) and print the clean text."""
    issues: list[IngestIssue] = []
    count = 0
    for doc in iter_docs(
        inputs, glob=glob, recursive=recursive, errors=issues, max_bytes=max_bytes
    ):
        if as_json:
            click.echo(json.dumps(extract_doc(doc), ensure_ascii=False))
        else:
            if count:
                click.echo("\n" + "-" * 72)
            click.echo(printable(_header(doc)) + "\n")
            click.echo(printable(doc.clean))
        count += 1
    for issue in issues:
        click.echo(f"Skipped: {issue}", err=True)
    if not count:
        raise IngestError(
            f"No article could be read; the first problem is {issues[0]}."
            if issues
            else "No article found."
        )


commands = [extract_cmd]

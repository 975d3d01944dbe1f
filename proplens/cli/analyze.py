"""`proplens analyze`: mark the propaganda techniques in articles and print or save the result."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

import click

from proplens.cli.options import input_limit_options, model_option, threshold_option
from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.iohelpers import atomic_write
from proplens.progress import progress_bar
from proplens.summary import DEFAULT_MIN_SCORE
from proplens.views import analysis, model_info, render_markdown, render_report

if TYPE_CHECKING:
    from proplens.ingest import IngestIssue

FORMATS = ("text", "json", "html", "md", "semeval")


def load_pipeline(model: str | None, threshold: float | None) -> Any:
    """Load the model once: a model folder, `module:callable`, or None for the default.

    None also honours `$PROPLENS_PIPELINE_FACTORY`, like `proplens batch`.
    """
    from proplens.runner import load_pipeline as _load
    from proplens.runner import resolve_factory

    pipeline = _load(resolve_factory(model), threshold=threshold)
    if threshold is not None and getattr(pipeline, "threshold", None) != threshold:
        pipeline.threshold = threshold
    return pipeline


def read_inputs(
    target: str, errors: list[IngestIssue] | None = None, max_bytes: int | None = None
) -> Iterator[Doc]:
    """Docs from a file, a folder (recursively), `-` (standard input) or an http(s) address.

    Files in a folder that cannot be read are skipped and added to `errors` (else warned about).
    """
    from proplens.ingest import iter_docs
    from proplens.ingest.fetch import doc_from_url, is_url

    if is_url(target):
        return iter([doc_from_url(target)])

    return iter_docs([target], recursive=True, errors=errors, max_bytes=max_bytes)


def within_limit(docs: Iterable[Doc], max_chars: int, errors: list[IngestIssue]) -> Iterator[Doc]:
    """`docs`, skipping (into `errors`) those longer than `max_chars` characters."""
    from proplens.ingest import IngestIssue

    for doc in docs:
        if len(doc.text) <= max_chars:
            yield doc
            continue
        where = str(doc.extra.get("path") or doc.id or "An article")
        errors.append(
            IngestIssue(
                where,
                f"the article is {len(doc.text):,} characters long, over the limit of "
                f"{max_chars:,}; split it, or raise the limit with `--max-chars`",
            )
        )


def semeval_rows(doc: Doc, fallback_id: str) -> list[str]:
    """FLC rows `id<TAB>technique<TAB>start<TAB>end` for the spans that carry a technique."""
    doc_id = doc.id or fallback_id
    return [
        f"{doc_id}\t{s.technique}\t{s.start}\t{s.end}" for s in doc.sorted_spans() if s.technique
    ]


def _doc_id(doc: Doc, n: int) -> str:
    origin = str(doc.extra.get("origin") or doc.extra.get("path") or "")
    m = re.search(r"article(\w+)\.\w+$", origin)
    return m.group(1) if m else str(n)


def _print_text(data: dict[str, Any], out, colour: bool, min_score: float) -> None:
    from proplens.views.terminal import print_rich, render_plain

    if colour:
        print_rich(data, out, min_score)
    else:
        out.write(render_plain(data, min_score))


@click.command("analyze")
@click.argument("target", metavar="FILE|-|DIR|URL")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: marked article + summary; json: the API's JSON (JSON Lines for several "
    "articles); html: a self-contained report; md: a Markdown summary; semeval: FLC label rows.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write here instead of standard output.",
)
@threshold_option
@model_option(factories=True)
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colour the text format (default: only in a terminal).",
)
@click.option(
    "--show-weak",
    is_flag=True,
    help=f"Also show marks under {100 * DEFAULT_MIN_SCORE:.0f}% confidence in the text and md "
    "formats (they are counted but hidden by default; json, html and semeval keep every mark).",
)
@input_limit_options("skipped and reported")
def analyze_cmd(
    target: str,
    fmt: str,
    output: str | None,
    threshold: float | None,
    model: str | None,
    colour: bool | None,
    show_weak: bool,
    max_chars: int,
    max_bytes: int | None,
) -> None:
    """Mark the propaganda techniques in an article, a folder of articles, `-` (stdin) or a URL.

    Example: proplens analyze examples/op-ed.txt --format html -o report.html
    """
    min_score = 0.0 if show_weak else DEFAULT_MIN_SCORE
    pipeline = load_pipeline(model, threshold)
    meta = model_info(pipeline)
    issues: list[IngestIssue] = []
    docs = within_limit(read_inputs(target, issues, max_bytes), max_chars, issues)
    if fmt in ("html", "md"):
        docs = iter(list(docs))
    results = _analysed(pipeline, docs)
    # A bar only when the articles do not print to the same terminal as the bar.
    total = _count(target) if output or fmt != "text" else 0
    with progress_bar(total if total > 1 else 0, "Analysing") as advance:
        results = _advancing(results, advance)
        if output:
            try:
                # A temporary file beside OUT, moved onto it only when the run succeeds: a
                # failed run leaves no half-written file and keeps a previous OUT as it was.
                with atomic_write(output) as out:
                    _write(fmt, results, meta, out, bool(colour), issues, min_score)
            except OSError as exc:
                raise click.ClickException(
                    f"Could not write {output}: {exc.strerror or exc}; check that its folder "
                    "exists and is writable."
                ) from None
        else:
            if colour is None:
                colour = sys.stdout.isatty()
            _write(fmt, results, meta, sys.stdout, colour, issues, min_score)
    for issue in issues:
        click.echo(f"Skipped: {issue}", err=True)
    if output:
        click.echo(f"Wrote {fmt} to {output}.", err=True)


def _count(target: str) -> int:
    """About how many articles `target` holds (0 for stdin and URLs), for the progress bar."""
    from proplens.ingest.fetch import is_url
    from proplens.ingest.sources import estimate_total, expand_inputs

    if target == "-" or is_url(target):
        return 0
    try:
        return estimate_total(expand_inputs([target])) or 0
    except ProplensError:
        return 0  # reading the input reports the problem properly


def _advancing(docs: Iterator[Doc], advance: Any) -> Iterator[Doc]:
    for doc in docs:
        yield doc
        advance(1)


def _analysed(pipeline: Any, docs: Iterable[Doc]) -> Iterator[Doc]:
    return iter(pipeline.pipe((_titled(d) for d in docs), batch_size=8))


def _titled(doc: Doc) -> Doc:
    """Name an untitled article after its file, as the API does for uploads."""
    path = doc.extra.get("path")
    if not doc.title and path and path != "<stdin>":
        doc.title = os.path.basename(str(path))
    return doc


def _no_articles(issues: list[IngestIssue]) -> click.ClickException:
    if not issues:
        return click.ClickException("No articles found to analyse.")
    n = len(issues)
    return click.ClickException(
        f"No article could be read ({n} skipped); the first problem is {issues[0]}".rstrip(".")
        + "."
    )


def _write(
    fmt: str,
    docs: Iterator[Doc],
    meta: dict[str, Any],
    out,
    colour: bool,
    issues: list[IngestIssue],
    min_score: float,
) -> None:
    if fmt in ("html", "md"):
        items = [analysis(d, meta) for d in docs]
        if not items:
            raise _no_articles(issues)
        out.write(render_report(items) if fmt == "html" else render_markdown(items, min_score))
        return
    first = next(docs, None)
    if first is None:
        raise _no_articles(issues)
    second = next(docs, None)
    many = second is not None
    rest = chain([first], [second] if second is not None else [], docs)
    for n, doc in enumerate(rest):
        if fmt == "semeval":
            rows = semeval_rows(doc, _doc_id(doc, n + 1))
            out.write("".join(r + "\n" for r in rows))
        elif fmt == "json":
            data = analysis(doc, meta)
            out.write(json.dumps(data, ensure_ascii=False, indent=None if many else 2) + "\n")
        else:
            if n:
                out.write("\n" + "=" * 72 + "\n\n")
            _print_text(analysis(doc, meta), out, colour, min_score)


commands = [analyze_cmd]

"""Atheris fuzz target: random bytes through ingestion, normalisation and sentence splitting.

Each input picks a file name (which decides .txt, .html, .jsonl, .json, .pdf or no extension) and
feeds the rest of the bytes to `proplens.ingest.docs_from_bytes`. A `ProplensError` is an expected,
clean refusal; any other exception, a hang (`-timeout`) or runaway memory (`-rss_limit_mb`) is a
finding. Every Doc that comes out must hold encodable text, and `normalize` must give an offset map
that points each clean character back at its source; `split_sentences` must give in-bounds spans.

Run (see fuzz/README.md):
    .venv/bin/python fuzz/fuzz_ingest.py /tmp/fz/corpus -max_total_time=600 -timeout=20 \
        -rss_limit_mb=2048
The corpus folder is seeded with small valid inputs of every kind when it is empty.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["proplens", "pypdf", "charset_normalizer"]):
    import charset_normalizer  # noqa: F401  (imported lazily by ingest; instrument it here)
    import pypdf  # noqa: F401

    from proplens.errors import ProplensError
    from proplens.ingest import docs_from_bytes
    from proplens.normalize import normalize
    from proplens.sentences import split_sentences

NAMES = ("a.txt", "a.html", "a.jsonl", "a.json", "a.pdf", "a", "article7.md", "b.htm")
warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)


def check_doc_text(text: str) -> None:
    """Invariants of a Doc's text and of its normalisation."""
    text.encode("utf-8")  # no lone surrogates
    if not text.strip():
        raise AssertionError("a Doc with blank text was returned")
    clean, omap = normalize(text)
    idx = omap.raw_index
    if len(idx) != len(clean):
        raise AssertionError("offset map length differs from the clean text")
    for k in range(len(idx)):
        r = int(idx[k])
        if not 0 <= r < len(text) or (k and r <= int(idx[k - 1])):
            raise AssertionError(f"offset map not strictly increasing in bounds at {k}")
        if clean[k] != text[r] and not (
            clean[k] in " \n" and (text[r].isspace() or text[r] in "\u200b\ufeff")
        ):
            raise AssertionError(
                f"clean char {clean[k]!r} at {k} does not come from raw {text[r]!r}"
            )
    if normalize(clean)[0] != clean:
        raise AssertionError("normalize is not idempotent")
    last = 0
    for s, e in split_sentences(clean):
        if not last <= s < e <= len(clean):
            raise AssertionError(f"sentence span ({s}, {e}) out of order or bounds")
        last = e


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    name, payload = NAMES[data[0] % len(NAMES)], data[1:]  # the first byte picks the file name
    try:
        docs = docs_from_bytes(payload, name, errors=[])
    except ProplensError as exc:
        if not str(exc).strip():
            raise AssertionError("a ProplensError with an empty message") from None
        docs = []
    for doc in docs:
        check_doc_text(doc.text)
    # Normalisation also sees text straight from the bytes, whatever ingestion thought of them.
    loose = payload.decode("utf-8", "replace")
    if loose.strip():
        check_doc_text(loose)


def seed(folder: Path) -> None:
    """Write small valid inputs of each kind (built in code, nothing committed) into `folder`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.hardening.catalogue import MIXED_EOL, SCRIPT_HTML, TEXT, UNICODE, make_pdf

    folder.mkdir(parents=True, exist_ok=True)
    samples = {
        0: TEXT.encode(),
        1: SCRIPT_HTML.replace("A" * 2_000_000, "A").encode(),
        2: b'{"text": "one"}\n{"text": "two", "title": "t"}\nbad\n',
        3: b'[{"text": "x"}]',
        4: make_pdf(["The reckless mayor.", "Second line-"]),
        5: MIXED_EOL.encode(),
        6: UNICODE.encode("utf-16-le"),
        7: "Café naïve".encode("cp1252"),
    }
    for i, payload in samples.items():
        (folder / f"seed-{i}").write_bytes(bytes([i]) + payload)


def main() -> None:
    corpus = [a for a in sys.argv[1:] if not a.startswith("-")]
    first = Path(corpus[0]) if corpus else None
    if first is not None and not first.is_file() and not any(first.glob("*")):
        seed(first)  # an empty or new corpus folder (a file argument is replayed as is)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

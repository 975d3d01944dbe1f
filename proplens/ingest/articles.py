"""One article as a `Doc`: from a string or a JSON record, and the one article-id rule.

One article-id rule (`article_id`): a record's own `id` when it has one; else the file name
without its compression and format extensions (`article123.txt` gives `123`), followed by
`:<n>` for the n-th record (its line number in JSON Lines, counted from 1; its position in a
JSON array, from 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proplens.doc import META_FIELDS, Doc
from proplens.errors import IngestError, ProplensError
from proplens.ingest.decoding import _ARTICLE_ID, _SURROGATE, _non_blank
from proplens.ingest.streams import strip_compression


def article_id(name: str, part: int | None = None) -> str:
    """The id of an article that has none of its own (the one article-id rule).

    Args:
        name: The input's file name, or "<stdin>".
        part: The record's number in a file that holds several (line number in JSON Lines).
    Returns:
        The file stem without compression and format extensions (the digits of `article<ID>`
        when the stem looks like that; "stdin" for standard input), then `:<part>` if given.

    Example:
        >>> article_id("dumps/feed.jsonl.gz", 7), article_id("article111.txt")
        ('feed:7', '111')
    """
    if name == "<stdin>":
        stem = "stdin"
    else:
        stem = Path(strip_compression(name)).stem
        m = _ARTICLE_ID.search(stem)
        stem = m.group(1) if m else stem
    return stem if part is None else f"{stem}:{part}"


def doc_id_for(name: str) -> str:
    """The id of a file's only article (`article_id` without a part)."""
    return article_id(name)


def doc_from_text(text: str, **meta: Any) -> Doc:
    """Make a `Doc` from a string; keys other than id/title/source/url/date/author go to `extra`.

    Raises:
        IngestError: The text is not a string or is blank.
    """
    if not isinstance(text, str):
        raise IngestError(f"An article's text must be a string, not {type(text).__name__}.")
    _non_blank(text, "The text")
    doc = Doc(text=text, extra={k: v for k, v in meta.items() if k not in META_FIELDS})
    for key in META_FIELDS:
        if meta.get(key) is not None:
            setattr(doc, key, str(meta[key]))
    return doc


def _record_doc(obj: Any, name: str, default_id: str) -> Doc:
    """A Doc from one JSON object; raises ValueError with a short reason."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    if not isinstance(obj.get("text"), str) or not obj["text"].strip():
        raise ValueError("needs a non-empty `text` string")
    if _has_surrogate(obj):
        raise ValueError(
            "holds a lone surrogate escape (such as \\ud83d), which is not valid Unicode; "
            "fix the program that wrote it"
        )
    if "spans" in obj:
        try:
            doc = Doc.from_json(obj)
        except (ProplensError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"bad `spans`: {exc}") from None
    else:
        doc = doc_from_text(obj["text"], **{k: v for k, v in obj.items() if k != "text"})
    doc.id = doc.id if doc.id is not None else default_id
    return doc


def _has_surrogate(value: Any) -> bool:
    """True when a decoded JSON value holds a lone surrogate (from an escape like \\udc00)."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False

"""Exceptions raised by proplens. Every message is a full sentence that says what was
expected, what was received and how to fix it."""

from __future__ import annotations


class ProplensError(Exception):
    """Base class for every error a user can cause and fix (the CLI exits 1 on it)."""


class UnknownTechniqueError(ProplensError, ValueError):
    """A technique label that is not in the taxonomy."""


class SpanError(ProplensError, ValueError):
    """A span whose offsets do not fit its document."""


class IngestError(ProplensError):
    """Input that cannot be read as an article (missing, empty, undecodable, wrong type)."""


class CorpusFormatError(ProplensError):
    """A SemEval article or label file with a bad row."""


class ModelError(ProplensError):
    """A model folder that is missing, incomplete, or written by a newer proplens."""


class StoreError(ProplensError):
    """A database that cannot be opened or written."""

"""The request bodies the API reads, as pydantic models, and their OpenAPI description."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from proplens.corrections import CorrectedArticle, Correction


class AnalyzeRequest(BaseModel):
    """An article to analyse: its text and optional metadata (or only a `url` to fetch)."""

    text: str = ""
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None
    author: str | None = None


class CorrectionRequest(BaseModel):
    """One correction and the article it belongs to (text, marks as shown, model)."""

    article: CorrectedArticle
    correction: Correction


# `POST /api/analyze` and `/api/report` read their body themselves (JSON or an upload), so
# their OpenAPI request body is described here.
ANALYZE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AnalyzeRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A .txt, .html, .pdf or one-line .jsonl article.",
                        },
                        "title": {"type": "string"},
                        "source": {"type": "string"},
                        "url": {"type": "string"},
                    },
                }
            },
        },
    }
}

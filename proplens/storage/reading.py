"""Reading the store: one article, a filtered page of them, all of them in chunks, failures."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from proplens.doc import Doc, Span
from proplens.errors import StoreError
from proplens.storage.connections import Connected
from proplens.storage.records import CHUNK, DONE, FAILED, row_to_doc


class Reading(Connected):
    """The read queries of a `Store` over its `articles` and `spans` tables."""

    def get_article(self, id: int | str) -> Doc | None:
        """The stored article with store id `id` (as listed by `list_articles`), or None.

        The Doc keeps its original `id` (or the store id when it had none); the store's own
        fields are in `doc.extra["store"]`: article_id, model, status, error, run_id, created.
        """
        try:
            key = int(id)
        except (TypeError, ValueError):
            return None
        with self._connect() as conn:
            row = conn.execute(sa.select(self.articles).where(self.articles.c.id == key)).first()
            if row is None:
                return None
            spans = self._spans_for(conn, [key])
        doc = row_to_doc(row, spans.get(key, []))
        doc.extra["store"] = {
            "article_id": row.id,
            "model": f"{row.model_name} {row.model_version}",
            "status": row.status,
            "error": row.error,
            "run_id": row.run_id,
            "created": row.created,
        }
        return doc

    def list_articles(
        self,
        technique: str | None = None,
        source: str | None = None,
        q: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> dict[str, Any]:
        """A page of analysed articles, newest first.

        Args:
            technique: Only articles with at least one span of this technique.
            source: Only articles from this outlet (exact match).
            q: Only articles whose title or text contains this, ignoring case.
            page: 1-based page number.
            per_page: Articles per page, 1 to 500.

        Returns:
            `{"items": [...], "total", "page", "per_page", "pages"}`; each item has id (the store
            id for `get_article`), doc_id, title, source, url, date, n_words, n_spans, density,
            techniques (counts) and model.
        """
        if page < 1 or not 1 <= per_page <= 500:
            raise StoreError(
                f"`page` must be at least 1 and `per_page` between 1 and 500; got page={page}, "
                f"per_page={per_page}."
            )
        a, s = self.articles, self.spans
        where = [a.c.status == DONE]
        if technique is not None:
            has = sa.select(s.c.id).where(s.c.article_id == a.c.id, s.c.technique == technique)
            where.append(sa.exists(has))
        if source is not None:
            where.append(a.c.source == source)
        if q:
            where.append(
                sa.or_(
                    a.c.title.icontains(q, autoescape=True), a.c.text.icontains(q, autoescape=True)
                )
            )
        cols = [
            a.c[n]
            for n in (
                "id",
                "doc_id",
                "title",
                "source",
                "url",
                "date",
                "n_words",
                "n_chars",
                "n_spans",
                "covered_chars",
                "model_name",
                "model_version",
            )
        ]
        with self._connect() as conn:
            total = conn.scalar(sa.select(sa.func.count()).select_from(a).where(*where)) or 0
            query = (
                sa.select(*cols)
                .where(*where)
                .order_by(a.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
            rows = conn.execute(query).all()
            counts = self._technique_counts(conn, [r.id for r in rows])
        items = [
            {
                "id": r.id,
                "doc_id": r.doc_id,
                "title": r.title,
                "source": r.source,
                "url": r.url,
                "date": r.date,
                "n_words": r.n_words,
                "n_spans": r.n_spans,
                "density": r.covered_chars / r.n_chars if r.n_chars else 0.0,
                "techniques": counts.get(r.id, {}),
                "model": f"{r.model_name} {r.model_version}",
            }
            for r in rows
        ]
        pages = math.ceil(total / per_page) if total else 0
        return {"items": items, "total": total, "page": page, "per_page": per_page, "pages": pages}

    def iter_articles(self, status: str = DONE) -> Iterator[Doc]:
        """Every stored article with `status`, in store order, read in chunks (for export)."""
        a, last = self.articles, 0
        while True:
            with self._connect() as conn:
                query = (
                    sa.select(a)
                    .where(a.c.status == status, a.c.id > last)
                    .order_by(a.c.id)
                    .limit(CHUNK)
                )
                rows = conn.execute(query).all()
                if not rows:
                    return
                spans = self._spans_for(conn, [r.id for r in rows])
            for row in rows:
                yield row_to_doc(row, spans.get(row.id, []))
            last = rows[-1].id

    def failures(self, run_id: int | None = None) -> list[dict[str, Any]]:
        """Failed articles (of one run, or all): id, origin, error, model, run_id."""
        a = self.articles
        where = [a.c.status == FAILED] + ([a.c.run_id == run_id] if run_id is not None else [])
        query = (
            sa.select(a.c.id, a.c.origin, a.c.error, a.c.model_name, a.c.model_version, a.c.run_id)
            .where(*where)
            .order_by(a.c.id)
        )
        with self._connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def count(self, status: str = DONE) -> int:
        a = self.articles
        with self._connect() as conn:
            query = sa.select(sa.func.count()).select_from(a).where(a.c.status == status)
            return conn.scalar(query) or 0

    def _spans_for(self, conn: sa.Connection, ids: list[int]) -> dict[int, list[Span]]:
        s = self.spans
        out: dict[int, list[Span]] = {}
        query = sa.select(s).where(s.c.article_id.in_(ids)).order_by(s.c.article_id, s.c.ord)
        for r in conn.execute(query):
            alts = tuple((t, float(v)) for t, v in json.loads(r.alternatives or "[]"))
            out.setdefault(r.article_id, []).append(
                Span(r.start_char, r.end_char, r.technique, float(r.score), "", alts)
            )
        return out

    def _technique_counts(self, conn: sa.Connection, ids: list[int]) -> dict[int, dict[str, int]]:
        if not ids:
            return {}
        s = self.spans
        out: dict[int, dict[str, int]] = {}
        query = (
            sa.select(s.c.article_id, s.c.technique, sa.func.count())
            .where(s.c.article_id.in_(ids))
            .group_by(s.c.article_id, s.c.technique)
        )
        for article_id, technique, n in conn.execute(query):
            out.setdefault(article_id, {})[technique or "(none)"] = n
        return out

"""What a statistics query is over: its group keys, its `KEY=VALUE` filters, its date bounds and
its model, checked and turned into SQL conditions on the store's articles."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from proplens.errors import ProplensError
from proplens.storage.queries import ARTICLE_META
from proplens.storage.store import DONE, Store

UNKNOWN = "(unknown)"
BUILTIN = ("source", "technique", "month", "year", "author")
DATE_KEYS = ("month", "year")
_KEY = re.compile(r"^[A-Za-z_][\w.-]{0,99}$")
_DAY = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def parse_by(by: str | list[str] | tuple[str, ...]) -> list[str]:
    """`"bias,month"` as `["bias", "month"]`, each a valid key name."""
    keys = [k.strip() for k in (by.split(",") if isinstance(by, str) else by) if k.strip()]
    if not keys:
        raise ProplensError("`--by` needs a key, e.g. source, technique, month or bias.")
    if len(keys) > 2:
        raise ProplensError(f"`--by` takes one or two keys (e.g. source,technique), not {by!r}.")
    for key in keys:
        if not _KEY.match(key):
            raise ProplensError(
                f"{key!r} is not a key name: use source, technique, month, year, author or a "
                "metadata field of the articles (letters, digits, _ . -)."
            )
    if len(set(keys)) != len(keys):
        raise ProplensError(f"`--by` names the same key twice: {by!r}.")
    return keys


def parse_where(where: list[str] | tuple[str, ...] | None) -> dict[str, list[str]]:
    """`["bias=left", "bias=center", "topic=elections"]` as `{key: [values]}` (OR within a key)."""
    out: dict[str, list[str]] = {}
    for clause in where or ():
        key, sep, value = clause.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            raise ProplensError(
                f"`--where` takes KEY=VALUE (e.g. bias=left or source=Reuters), not {clause!r}."
            )
        out.setdefault(key, []).append(value.strip())
    return out


def _date_bound(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not _DAY.match(value):
        raise ProplensError(
            f"`{option}` takes a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2016-01), not {value!r}."
        )
    return value


def _choose_model(store: Store, model: str | None) -> tuple[str, str] | None:
    a = store.articles
    query = sa.select(a.c.model_name, a.c.model_version).where(a.c.status == DONE)
    if model:
        name, _, version = model.partition(" ")
        query = query.where(a.c.model_name == name)
        if version:
            query = query.where(a.c.model_version == version)
    with store._connect() as conn:
        row = conn.execute(query.order_by(a.c.id.desc()).limit(1)).first()
    if row is None and model:
        raise ProplensError(f"No analysed articles from model {model!r} in {store!r}.")
    return (row.model_name, row.model_version) if row else None


def _check_keys(conn: sa.Connection, keys: list[str]) -> None:
    if not keys:
        return
    m = ARTICLE_META
    found = set(conn.scalars(sa.select(m.c.key).where(m.c.key.in_(keys)).distinct()))
    missing = [k for k in keys if k not in found]
    if missing:
        known = sorted(conn.scalars(sa.select(m.c.key).distinct().limit(50)))
        raise ProplensError(
            f"No article has the key {missing[0]!r}. Use source, technique, month, year, author"
            + (f" or a metadata field of the articles: {', '.join(known)}." if known else ".")
        )


def _key_expr(a: sa.Table, key: str) -> Any:
    if key == "year":
        return sa.func.substr(a.c.published, 1, 4)
    return a.c[key]


def _filters(a: sa.Table, filters: dict[str, list[str]]) -> list[Any]:
    """SQL conditions for `{key: [values]}`; the value "(unknown)" matches a missing one."""
    out = []
    for key, values in filters.items():
        known = [v for v in values if v != UNKNOWN]
        if key in BUILTIN:
            expr = _key_expr(a, key)
            either = [expr.in_(known)] if known else []
            if UNKNOWN in values:
                either.append(sa.or_(expr.is_(None), expr == ""))
        else:
            m = ARTICLE_META.alias()
            has = sa.select(m.c.article_id).where(m.c.article_id == a.c.id, m.c.key == key)
            either = [sa.exists(has.where(m.c.value.in_(known)))] if known else []
            if UNKNOWN in values:
                either.append(sa.not_(sa.exists(has.where(m.c.value != ""))))
        out.append(sa.or_(*either))
    return out

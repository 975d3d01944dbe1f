"""Article metadata and dates in the store: extra fields kept as rows, dates kept as given."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from proplens.doc import Doc
from proplens.ingest.dates import parse_date
from proplens.storage import ModelId, Result, Store
from proplens.storage.queries import ARTICLE_META
from tests.fakes import migrate_to

MODEL = ModelId("fake", "1")


def test_metadata_extra_fields_become_rows_and_dates_parse_apart(tmp_path):
    docs = [
        Doc("They are traitors.", id="1", date="4/21/18", extra={"bias": "left", "n": 3}),
        Doc("Fear the flood.", id="2", date="1/21", extra={"topic": "weather", "tags": ["a"]}),
    ]
    with Store(f"sqlite:///{tmp_path / 'm.db'}") as store:
        store.write_batch(None, MODEL, [Result(d.id, d) for d in docs])
        with store.engine.connect() as conn:
            meta = conn.execute(sa.select(ARTICLE_META.c.key, ARTICLE_META.c.value)).all()
            dates = conn.execute(
                sa.select(store.articles.c.date, store.articles.c.published).order_by("id")
            ).all()
        stored = {d.id: d for d in store.iter_articles()}
    assert sorted(meta) == [("bias", "left"), ("n", "3"), ("topic", "weather")]
    assert dates == [("4/21/18", "2018-04-21"), ("1/21", None)]  # kept as given, parsed apart
    assert stored["2"].extra == {"topic": "weather", "tags": ["a"]}  # the JSON keeps everything


def test_metadata_migration_backfills_a_database_written_before_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the schema as it was before m003
        migrate_to(conn, 2)
        conn.execute(
            sa.text(
                "INSERT INTO articles (content_hash, model_name, model_version, status, date, "
                "metadata, text, created) VALUES ('h', 'fake', '1', 'done', '2016-03-05', "
                ":meta, 'They lie.', 'now')"
            ),
            {"meta": json.dumps({"id": "a", "source": "S", "bias": "right", "topic": "x"})},
        )
    engine.dispose()
    with Store(url) as store:
        assert "m003_article_metadata" in store.migrated
        with store.engine.connect() as conn:
            meta = conn.execute(sa.select(ARTICLE_META.c.key, ARTICLE_META.c.value)).all()
            published = conn.scalar(sa.select(store.articles.c.published))
    assert sorted(meta) == [("bias", "right"), ("topic", "x")] and published == "2016-03-05"


@pytest.mark.parametrize(
    "given,parsed",
    [
        ("2016-03-05", "2016-03-05"),
        ("2019-05-02T10:11:12Z", "2019-05-02"),
        ("Tue, 15 Nov 1994 08:12:31 GMT", "1994-11-15"),
        ("March 5, 2016", "2016-03-05"),
        ("4/21/18", "2018-04-21"),  # US month/day/two-digit year, as AllSides writes some
        ("2016-03", "2016-03"),
        ("1/21", None),  # no year
        ("2050", None),  # a year only, and in the future
        ("2050-01-01", None),
        ("0001-01-01", None),
        ("2016-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_metadata_parse_date(given, parsed):
    assert parse_date(given) == parsed

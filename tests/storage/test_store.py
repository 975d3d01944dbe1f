from __future__ import annotations

import pytest
import sqlalchemy as sa

from proplens.doc import Doc
from proplens.errors import StoreError
from proplens.storage import ModelId, Result, Store
from proplens.storage import store as store_module
from proplens.storage.migrations import MIGRATIONS, MIGRATIONS_TABLE
from proplens.storage.store import month_of
from tests.fakes import migrate_to

MODEL = ModelId("fake", "1")


def make_doc(i: int, text: str | None = None, **meta) -> Doc:
    doc = Doc(text or f"Article {i}: the traitors hate our nation.", id=f"d{i}", **meta)
    doc.add_span(
        len(doc.text) - 25, len(doc.text) - 17, "Name_Calling,Labeling", 0.75, (("Doubt", 0.125),)
    )
    return doc


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


def test_store_roundtrip_keeps_text_spans_and_metadata(store):
    doc = make_doc(
        1,
        text="Café «traitors» here!\r\nTwo lines, the traitors hate our nation.",
        source="Gazette",
        date="2024-03-05",
        title="T",
    )
    doc.extra["lang"] = "fr"
    store.write_batch(store.start_run(MODEL), MODEL, [Result("a.txt", doc)])
    item = store.list_articles()["items"][0]
    got = store.get_article(item["id"])
    assert (got.text, got.spans, got.id, got.source, got.title) == (
        doc.text,
        doc.spans,
        "d1",
        "Gazette",
        "T",
    )
    assert got.extra["lang"] == "fr" and got.extra["store"]["status"] == "done"
    assert store.get_article(999) is None and store.get_article("x") is None


def test_store_skips_same_text_outlet_and_model_only(store):
    run = store.start_run(MODEL)
    doc, syndicated = make_doc(1, source="Reuters"), make_doc(1, source="Herald")
    assert store.write_batch(run, MODEL, [Result("a", doc), Result("b", doc)])["skipped"] == 1
    assert store.write_batch(run, MODEL, [Result("c", syndicated)])["done"] == 1
    hashes = [doc.content_hash, "0" * 64]
    assert store.done_keys(hashes, MODEL) == {
        (doc.content_hash, "Reuters"),
        (doc.content_hash, "Herald"),
    }
    spans = store.stored_spans(hashes, MODEL)
    assert list(spans) == [doc.content_hash]
    assert [(s.start, s.end, s.technique) for s in spans[doc.content_hash]] == [
        (15, 23, "Name_Calling,Labeling")
    ]
    other = ModelId("fake", "2")
    assert store.done_keys([doc.content_hash], other) == set()
    assert store.write_batch(run, other, [Result("a", doc)])["done"] == 1
    assert store.count() == 3
    assert store.get_run(run)["done"] == 3 and store.get_run(run)["skipped"] == 1


def test_store_failure_replaced_then_cleared_by_success(store):
    run = store.start_run(MODEL)
    store.write_batch(run, MODEL, [Result("x.jsonl:3", error="bad JSON")])
    store.write_batch(run, MODEL, [Result("x.jsonl:3", error="bad JSON again")])
    failures = [(f["origin"], f["error"]) for f in store.failures()]
    assert failures == [("x.jsonl:3", "bad JSON again")]
    store.write_batch(run, MODEL, [Result("x.jsonl:3", make_doc(3))])
    assert store.failures() == [] and store.count() == 1


def test_store_batch_is_one_transaction(store, monkeypatch):
    run = store.start_run(MODEL)
    real = store_module.span_values

    def explode(article_id, ord, span):
        if article_id > 1:
            raise RuntimeError("disk on fire")
        return real(article_id, ord, span)

    monkeypatch.setattr(store_module, "span_values", explode)
    with pytest.raises(RuntimeError):
        store.write_batch(run, MODEL, [Result("a", make_doc(1)), Result("b", make_doc(2))])
    assert store.count() == 0 and store.get_run(run)["done"] == 0


@pytest.fixture
def listed(store):
    docs = [
        make_doc(1, source="Gazette"),
        make_doc(2, text="100% sure: the traitors hate our nation.", source="Herald"),
        Doc("A calm report with no spans at all.", id="d3", source="Gazette", title="Calm"),
    ]
    store.write_batch(store.start_run(MODEL), MODEL, [Result(d.id, d) for d in docs])
    return store


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({}, ["d3", "d2", "d1"]),
        ({"technique": "Name_Calling,Labeling"}, ["d2", "d1"]),
        ({"technique": "Doubt"}, []),
        ({"source": "Gazette"}, ["d3", "d1"]),
        ({"q": "CALM"}, ["d3"]),
        ({"q": "100%"}, ["d2"]),
        ({"q": "%"}, ["d2"]),
        ({"q": "'; DROP TABLE articles; --"}, []),
        ({"source": "Gazette", "page": 2, "per_page": 1}, ["d1"]),
    ],
)
def test_store_list_articles_filters(listed, kwargs, expected):
    page = listed.list_articles(**kwargs)
    assert [i["doc_id"] for i in page["items"]] == expected
    assert listed.count() == 3


def test_store_list_articles_counts_and_pages(listed):
    page = listed.list_articles(per_page=2)
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 2)
    assert page["items"][1]["techniques"] == {"Name_Calling,Labeling": 1}
    assert page["items"][1]["density"] == pytest.approx(8 / 40)


@pytest.mark.parametrize("page,per_page", [(0, 10), (1, 0), (1, 501)])
def test_store_list_articles_rejects_bad_paging(listed, page, per_page):
    with pytest.raises(StoreError, match="`per_page` between 1 and 500"):
        listed.list_articles(page=page, per_page=per_page)


def test_store_refuses_newer_schema_and_keeps_data(db_url):
    with Store(db_url) as store:
        store.write_batch(store.start_run(MODEL), MODEL, [Result("a", make_doc(1))])
        with store.engine.begin() as conn:
            table = sa.table(MIGRATIONS_TABLE, sa.column("name"), sa.column("applied_at"))
            conn.execute(sa.insert(table).values(name="m999_future", applied_at="2099"))
    with pytest.raises(StoreError, match="newer proplens: it has schema migration 'm999_future'"):
        Store(db_url)
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM articles").scalar() == 1
    engine.dispose()


def test_store_migrates_once(db_url):
    assert Store(db_url).migrated == [fn.__name__ for fn in MIGRATIONS]
    assert Store(db_url).migrated == []


@pytest.mark.parametrize(
    "url,message",
    [
        ("mysql://u@localhost/db", "Unsupported database type 'mysql'"),
        ("sqlite:////no/such/folder/x.db", "Could not open the database"),
        ("postgresql://nobody@127.0.0.1:1/db", "Could not open the database"),
        ("postgresql+nosuchdriver://u@h/db", "driver"),
    ],
)
def test_store_bad_url_is_one_sentence(url, message):
    with pytest.raises(StoreError, match=message):
        Store(url)


def test_store_default_is_sqlite_under_proplens_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PROPLENS_HOME", str(tmp_path / "home"))
    assert Store().url.database == str(tmp_path / "home" / "proplens.db")
    assert Store(str(tmp_path / "plain.db")).url.database == str(tmp_path / "plain.db")


@pytest.mark.parametrize(
    "date,month",
    [
        ("2024-03-05", "2024-03"),
        ("2024-11-02T10:00:00Z", "2024-11"),
        ("2024-13-01", None),
        ("Tue, 15 Nov 1994 08:12:31 GMT", "1994-11"),
        ("yesterday", None),
        (None, None),
    ],
)
def test_store_month_of(date, month):
    assert month_of(date) == month


def test_store_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my precious notes\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError, match="Could not open the database .*not a database"):
        Store(str(path))
    assert path.read_text(encoding="utf-8") == "my precious notes\n" * 100


def test_store_publisher_migration_keeps_rows_and_lets_another_outlet_in(db_url):
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # the schema as it was before m006, with one stored article
        migrate_to(conn, 5)
        doc = make_doc(1, source="Reuters")
        conn.execute(
            sa.text(
                "INSERT INTO articles (content_hash, model_name, model_version, status, source, "
                "text, created) VALUES (:h, 'fake', '1', 'done', 'Reuters', :t, 'then')"
            ),
            {"h": doc.content_hash, "t": doc.text},
        )
    engine.dispose()
    with Store(db_url) as store:
        assert store.migrated == ["m006_article_publisher"]
        assert store.done_keys([doc.content_hash], MODEL) == {(doc.content_hash, "Reuters")}
        again = store.write_batch(None, MODEL, [Result("a", doc)])
        other = store.write_batch(None, MODEL, [Result("b", make_doc(1, source="Herald"))])
        assert (again["skipped"], other["done"], store.count()) == (1, 1, 2)

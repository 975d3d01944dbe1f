"""The bad-input catalogue through batch runs and the store: every bad article is recorded as failed
with its one-sentence reason, the good ones are stored, nothing already stored is lost."""

from __future__ import annotations

import re

import pytest

from tests.hardening.catalogue import TEXT, cases

pytestmark = pytest.mark.timeout(120)
CASES = cases()
HOSTILE_QUERIES = ["' OR 1=1 --", "x'; DROP TABLE articles; --", "%", "_", "\\", "\x00", "🇩🇪"]


@pytest.fixture
def store(tmp_path):
    from proplens.storage import Store

    with Store(f"sqlite:///{tmp_path / 'p.db'}") as s:
        yield s


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    for name, filename, data, _ in CASES:
        (root / f"{name}-{filename}").write_bytes(data)
    (root / "zz-mixed.jsonl").write_bytes(
        b'{"text": "good line one"}\nnot json\n{"text": "good two traitors"}\n'
    )
    return root


def test_batch_bad_input_catalogue_records_failures_and_goes_on(folder, store):
    from proplens.runner import run_batch
    from tests.fakes import KeywordPipeline

    summary = run_batch([folder], store, pipeline=KeywordPipeline(), batch_size=4, progress=False)
    failures = {f["origin"]: f["error"] for f in store.failures(run_id=summary.run_id)}
    expected_ok = [c for c in CASES if c[3][0] == "ok"]
    # Files without a supported extension (e.g. the PDF named `doc`) are not picked up in folders.
    picked = [c for c in expected_ok if "." in c[1]]
    # Same text in two files (UTF-16 LE/BE, the HTML page under two names) is analysed once.
    assert summary.done + summary.skipped == len(picked) + 2 and summary.skipped == 2
    for name, filename, _, (kind, pattern) in CASES:
        origin = str(folder / f"{name}-{filename}")
        if kind == "error" and "." in filename:
            assert origin in failures, (origin, list(failures))
            assert re.search(pattern, failures[origin], re.I), failures[origin]
            assert "Traceback" not in failures[origin]
    assert any(o.endswith("zz-mixed.jsonl:2") for o in failures)
    again = run_batch([folder], store, pipeline=KeywordPipeline(), batch_size=4, progress=False)
    assert again.done == 0 and again.skipped == summary.done + summary.skipped
    assert store.count() == summary.done


def test_batch_model_crash_on_one_article_keeps_the_rest(tmp_path, store):
    from proplens.runner import run_batch
    from tests.fakes import KeywordPipeline

    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "fine traitors"}\n{"text": "EXPLODE now"}\n{"text": "also fine"}\n')
    summary = run_batch([path], store, pipeline=KeywordPipeline(), batch_size=8, progress=False)
    assert summary.done == 2 and summary.failed == 1
    assert "EXPLODE" in store.failures()[0]["error"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_store_hostile_search_terms_are_data_not_sql(store, query):
    from proplens.doc import Doc
    from proplens.storage import ModelId, Result

    docs = [Doc(TEXT, title="A", source="S"), Doc("Calm text.", title="B", source="T")]
    store.write_batch(None, ModelId("m", "1"), [Result(origin=d.title, doc=d) for d in docs])
    for kwargs in ({"q": query}, {"source": query}):
        found = store.list_articles(**kwargs)["total"]
        # SQLite's LIKE stops at a NUL, so a NUL search term matches everything (harmless).
        assert found == 0 or (query == "\x00" and "q" in kwargs)
    assert store.count() == 2
    assert store.list_articles(q="traitors")["total"] == 1


@pytest.mark.parametrize(
    "db,pattern",
    [
        ("mysql://root@localhost/x", r"Unsupported database type 'mysql'"),
        ("postgresql+psycopg://u:hunter2@127.0.0.1:1/x", r"."),
        ("not a url://", r"."),
        ("{tmp}/no/such/dir/p.db", r"."),
    ],
)
def test_store_bad_db_urls_give_store_error_without_password(tmp_path, db, pattern):
    from proplens.errors import StoreError
    from proplens.storage import Store

    with pytest.raises(StoreError, match=pattern) as info:
        Store(db.format(tmp=tmp_path)).close()
    assert "hunter2" not in str(info.value)

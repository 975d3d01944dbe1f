from __future__ import annotations

import json

import pytest

from proplens.errors import IngestError, ModelError, ProplensError
from proplens.runner import load_pipeline, parse_shard, run_batch
from proplens.storage import Store
from tests.fakes import CountingPipeline, KeywordPipeline, article

FAKE = "tests.fakes:KeywordPipeline"


def write_corpus(folder, n=30, extra_lines=()):
    folder.mkdir(exist_ok=True)
    with open(folder / "feed.jsonl", "w", encoding="utf-8") as f:
        for i in range(n - 2):
            f.write(json.dumps(article(i)) + "\n")
        for line in extra_lines:
            f.write(line + "\n")
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "one.txt").write_text("The traitors always lie.", encoding="utf-8")
    (folder / "two.md").write_text("Fear for the nation!", encoding="utf-8")
    return folder


def spans_by_id(store):
    return {
        d.id: [(s.start, s.end, s.technique, s.score, s.alternatives) for s in d.spans]
        for d in store.iter_articles()
    }


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


def test_runner_stores_every_article_once_and_reruns_skip(tmp_path, store):
    corpus = write_corpus(tmp_path / "in")
    first = run_batch([corpus], store, pipeline=KeywordPipeline(), batch_size=7, progress=False)
    again = run_batch([corpus], store, pipeline=KeywordPipeline(), batch_size=7, progress=False)
    assert (first.done, first.skipped, first.failed) == (30, 0, 0)
    assert (again.done, again.skipped, again.failed) == (0, 30, 0)
    assert store.count() == 30 and len(spans_by_id(store)) == 30
    assert store.get_run(again.run_id)["finished"] is not None


def test_runner_records_failures_and_goes_on(tmp_path, store):
    corpus = write_corpus(tmp_path / "in", n=10, extra_lines=["{not json", '{"text": "EXPLODE"}'])
    (corpus / "empty.txt").write_text("  \n", encoding="utf-8")
    (corpus / "empty2.txt").write_text("  \n", encoding="utf-8")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    for _ in range(2):
        summary = run_batch([corpus], store, pipeline=KeywordPipeline(), progress=False)
        assert (summary.done + summary.skipped, summary.failed) == (10, 5)
    failures = {f["origin"].replace(str(corpus), ""): f["error"] for f in store.failures()}
    assert sorted(failures) == [
        "/empty.txt",
        "/empty2.txt",
        "/feed.jsonl:10",
        "/feed.jsonl:9",
        "/image.txt",
    ]
    assert "refuses texts containing EXPLODE" in failures["/feed.jsonl:10"]


def test_runner_fixed_input_clears_its_failure(tmp_path, store):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(article(1)) + "\n{broken\n", encoding="utf-8")
    assert run_batch([feed], store, pipeline=KeywordPipeline(), progress=False).failed == 1
    feed.write_text(json.dumps(article(1)) + "\n" + json.dumps(article(2)) + "\n", encoding="utf-8")
    summary = run_batch([feed], store, pipeline=KeywordPipeline(), progress=False)
    assert (summary.done, summary.skipped, store.failures()) == (1, 1, [])


def test_runner_skips_duplicate_texts_in_one_batch(tmp_path, store):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("Same traitors, same text.", encoding="utf-8")
    summary = run_batch(
        [tmp_path / "a.txt", tmp_path / "b.txt"], store, pipeline=KeywordPipeline(), progress=False
    )
    assert (summary.done, summary.skipped, store.count()) == (1, 1, 1)


class _Calls(KeywordPipeline):
    """`KeywordPipeline` that records the texts the model was run on."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def __call__(self, text_or_doc):
        self.texts.append(getattr(text_or_doc, "text", text_or_doc))
        return super().__call__(text_or_doc)


@pytest.mark.parametrize("batch_size", [1, 10], ids=["across-batches", "in-one-batch"])
def test_runner_syndicated_story_is_an_article_of_each_outlet(tmp_path, store, batch_size):
    import gzip

    story = {"text": "Reuters: the traitors fear the flood.", "date": "2024-01-02"}
    records = [
        {**article(1), "source": "Herald"},
        {**story, "id": "r1", "source": "Reuters"},
        {**story, "id": "w1", "source": "Washington Times"},
        {**story, "id": "r2", "source": "Reuters"},  # the same outlet twice: stored once
    ]
    dump = tmp_path / "dump.jsonl.gz"
    with gzip.open(dump, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    model = _Calls()
    first = run_batch([dump], store, pipeline=model, batch_size=batch_size, progress=False)
    again = run_batch([dump], store, pipeline=model, batch_size=batch_size, progress=False)
    stored = {d.id: d for d in store.iter_articles()}
    assert (first.done, first.skipped, again.done, again.skipped) == (3, 1, 0, 4)
    assert sorted(stored) == ["a001", "r1", "w1"] and model.texts.count(story["text"]) == 1
    assert stored["w1"].source == "Washington Times" and stored["w1"].spans == stored["r1"].spans
    assert [s.technique for s in stored["w1"].spans] != []


def test_runner_shards_partition_the_corpus(tmp_path, store, db_url):
    corpus = write_corpus(tmp_path / "in", n=40)
    done = [
        run_batch([corpus], store, pipeline=KeywordPipeline(), shard=f"{i}/3", progress=False).done
        for i in (1, 2, 3)
    ]
    assert sum(done) == 40 and all(done) and store.count() == 40


def test_runner_workers_give_local_results_and_load_once(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("PROPLENS_FAKE_DELAY", "0.05")  # so both workers get chunks
    corpus = write_corpus(tmp_path / "in", n=24)
    with Store(f"sqlite:///{tmp_path / 'local.db'}") as local, Store(db_url) as pooled:
        run_batch([corpus], local, pipeline=KeywordPipeline(), progress=False)
        summary = run_batch(
            [corpus],
            pooled,
            pipeline_factory="tests.fakes:CountingPipeline",
            workers=2,
            batch_size=8,
            progress=False,
        )
        assert summary.done == 24 and spans_by_id(pooled) == spans_by_id(local)
        loads = {(d.extra["worker_pid"], d.extra["worker_loads"]) for d in pooled.iter_articles()}
    assert len(loads) == 2 and {n for _, n in loads} == {1}


def test_runner_env_factory_is_honoured(tmp_path, store, monkeypatch):
    monkeypatch.setenv("PROPLENS_PIPELINE_FACTORY", FAKE)
    summary = run_batch([write_corpus(tmp_path / "in", n=5)], store, progress=False)
    assert (summary.done, summary.model) == (5, "keyword-fake 1")


def test_runner_defaults_to_the_fast_model_like_the_cli(tmp_path, store, monkeypatch):
    for name in ("PROPLENS_MODEL", "PROPLENS_PIPELINE_FACTORY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "one.txt").write_text("The traitors always lie to the nation.", encoding="utf-8")
    summary = run_batch([tmp_path / "one.txt"], store, progress=False)
    assert summary.done == 1 and summary.model.startswith("proplens-minilm ")


@pytest.mark.parametrize("text", ["0/3", "4/3", "1-3", "a/b", ""])
def test_runner_parse_shard_rejects(text):
    with pytest.raises(ProplensError, match="`--shard` must look like i/n"):
        parse_shard(text)


@pytest.mark.parametrize(
    "inputs,kwargs,error,message",
    [
        (["nope.txt"], {}, IngestError, "No such file or folder: nope.txt"),
        (["nope/*.txt"], {}, IngestError, "No files match the pattern"),
        ([], {"workers": 2, "pipeline": KeywordPipeline()}, ProplensError, "`pipeline_factory`"),
        ([], {"batch_size": 0}, ProplensError, "`batch_size` and `model_batch_size` must be"),
    ],
)
def test_runner_rejects_bad_arguments(store, inputs, kwargs, error, message):
    with pytest.raises(error, match=message):
        run_batch(inputs, store, progress=False, **kwargs)


def test_runner_glob_inputs_and_pattern(tmp_path, store):
    corpus = write_corpus(tmp_path / "in", n=6)
    only_txt = run_batch([corpus], store, pipeline=KeywordPipeline(), glob="*.txt", progress=False)
    by_glob = run_batch(
        [str(corpus / "**" / "*.md")], store, pipeline=KeywordPipeline(), progress=False
    )
    assert (only_txt.done, by_glob.done) == (1, 1)


def test_runner_load_pipeline_import_spec():
    assert isinstance(load_pipeline("tests.fakes:CountingPipeline"), CountingPipeline)
    with pytest.raises(ModelError, match="Could not import the pipeline factory"):
        load_pipeline("tests.fakes:NoSuchThing")


def test_runner_unstorable_article_fails_alone(tmp_path, store):
    feed = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(article(1)),
        json.dumps({"text": "NUL \u0000 inside traitors"}),
        json.dumps(article(2)),
    ]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run_batch([feed], store, pipeline=KeywordPipeline(), progress=False)
    assert summary.done + summary.failed == 3 and summary.done >= 2
    assert {d.id for d in store.iter_articles()} >= {"a001", "a002"}


def test_runner_gzip_dump_keeps_metadata_once_across_reruns(tmp_path, store):
    import gzip

    import sqlalchemy as sa

    from proplens.stats import corpus_stats
    from proplens.storage.queries import ARTICLE_META

    records = [{**article(i), "bias": ["left", "right"][i % 2], "topic": "t"} for i in range(12)]
    records[3]["date"] = "1/21"  # malformed: kept, never a reason to drop the record
    dump = tmp_path / "dump.jsonl.gz"
    with gzip.open(dump, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    for _ in range(2):
        run_batch([dump], store, pipeline=KeywordPipeline(), batch_size=5, progress=False)
    with store.engine.connect() as conn:
        meta = conn.execute(sa.select(sa.func.count()).select_from(ARTICLE_META)).scalar()
    assert store.count() == 12 and meta == 24  # bias and topic, once per article
    assert {d.id: d.date for d in store.iter_articles()}[records[3]["id"]] == "1/21"
    rows = corpus_stats(store, by="bias")["rows"]
    assert [(r["bias"], r["articles"]) for r in rows] == [("left", 6), ("right", 6)]

"""SemEval-2020 Task 11 corpus I/O on a hand-written 3-article fixture (tests/data/semeval_mini):
article101 plain ASCII, article102 with CRLF line endings, article103 with non-ASCII text."""

from __future__ import annotations

import pytest

from proplens.corpus import (
    LabelRow,
    load_split,
    read_article,
    read_articles,
    read_corpus,
    read_labels,
    write_labels,
)
from proplens.doc import Doc
from proplens.errors import CorpusFormatError
from tests.conftest import DATA

MINI = DATA / "semeval_mini"
ARTICLES = MINI / "mini-articles"


def test_semeval_read_article_keeps_crlf_and_non_ascii():
    crlf = read_article(ARTICLES / "article102.txt")
    assert crlf.id == "102"
    assert crlf.text.count("\r\n") == 4
    assert crlf.text.encode("utf-8") == (ARTICLES / "article102.txt").read_bytes()
    assert crlf.title == "Storm over the harbour plan"
    assert "naïvely" in read_article(ARTICLES / "article103.txt").text


def test_semeval_read_articles_sorted_by_id():
    assert list(read_articles(ARTICLES)) == ["101", "102", "103"]


@pytest.mark.parametrize(
    "article_id,technique,text",
    [
        ("101", "Loaded_Language", "reckless"),
        ("101", "Name_Calling,Labeling", "The reckless mayor"),
        (
            "102",
            "Black-and-White_Fallacy",
            "Either you back this plan or you want the town to fail",
        ),
        ("102", "Repetition", "disaster"),
        ("103", "Loaded_Language", "so-called experts"),
        ("103", "Thought-terminating_Cliches", "It is what it is"),
    ],
)
def test_semeval_read_corpus_span_texts(article_id, technique, text):
    docs = {d.id: d for d in read_corpus(ARTICLES)}
    assert (technique, text) in {(s.technique, s.text) for s in docs[article_id].spans}


@pytest.mark.parametrize("task,n_spans", [("flc", 10), ("tc", 10), ("si", 7)])
def test_semeval_read_corpus_discovers_labels(task, n_spans):
    docs = read_corpus(ARTICLES, task=task)
    assert sum(len(d.spans) for d in docs) == n_spans
    assert all(s.score == 1.0 for d in docs for s in d.spans)
    assert all((s.technique is None) == (task == "si") for d in docs for s in d.spans)


@pytest.mark.parametrize("kind,task", [("flc-tc", "flc"), ("si", "si")])
def test_semeval_read_labels_file_equals_folder(kind, task):
    def key(rows):
        return [(r.article_id, r.technique, r.start, r.end) for r in rows]

    one = read_labels(MINI / f"mini-task-{kind}.labels", task)
    many = read_labels(MINI / f"mini-labels-task-{kind}", task)
    assert key(one) == key(many)
    first_102 = [r.article_id for r in one].index("102")
    assert one[first_102].line == first_102 + 1 and many[first_102].line == 1
    assert many[first_102].source.endswith(f"article102.task-{kind}.labels")


@pytest.mark.parametrize(
    "name,task", [("mini-task-flc-tc.labels", "flc"), ("mini-task-si.labels", "si")]
)
def test_semeval_write_labels_round_trip_byte_identical(tmp_path, name, task):
    out = write_labels(tmp_path / name, read_labels(MINI / name, task), task)
    assert out.read_bytes() == (MINI / name).read_bytes()
    docs = read_corpus(ARTICLES, task=task)
    assert (
        write_labels(tmp_path / "from-docs", docs, task).read_bytes() == (MINI / name).read_bytes()
    )


def test_semeval_write_labels_into_folder(tmp_path):
    write_labels(tmp_path, read_corpus(ARTICLES), "flc")
    for gold in (MINI / "mini-labels-task-flc-tc").iterdir():
        assert (tmp_path / gold.name).read_bytes() == gold.read_bytes()


def test_semeval_write_labels_tc_template(tmp_path):
    doc = Doc("They lie.", id="7")
    doc.add_span(5, 8)
    out = write_labels(tmp_path / "t.out", [doc], "tc")
    assert out.read_bytes() == b"7\t?\t5\t8\n"
    assert read_labels(out, "tc") == [LabelRow("7", 5, 8, None, str(out), 1)]
    with pytest.raises(CorpusFormatError, match="has no technique"):
        write_labels(tmp_path / "f.labels", [doc], "flc")


@pytest.mark.parametrize(
    "row,task,message",
    [
        ("101\tDoubt\t5", "flc", "expected 4 tab-separated columns .* found 3"),
        ("101\t5\t9\t12", "si", "expected 3 tab-separated columns .* found 4"),
        ("101\tDoubt\tfive\t9", "flc", "the start offset 'five' is not a whole number"),
        ("101\tDoubt\t5\t9.5", "flc", "the end offset '9.5' is not a whole number"),
        ("101\tDoubt\t9\t9", "flc", "the start offset 9 must be smaller than the end offset 9"),
        ("101\t12\t9", "si", "the start offset 12 must be smaller"),
        ("101\t-3\t9", "si", "the start offset -3 is negative"),
        (
            "101\tLoaded_language\t5\t9",
            "flc",
            "unknown technique 'Loaded_language'. Expected one of: ",
        ),
        ("101\t?\t5\t9", "flc", "unknown technique '\\?'"),
    ],
)
def test_semeval_read_labels_bad_row_names_file_and_line(tmp_path, row, task, message):
    path = tmp_path / "bad.labels"
    good = "101\t1\t4" if task == "si" else "101\tDoubt\t1\t4"
    path.write_text(f"{good}\n{row}\n", newline="")
    with pytest.raises(CorpusFormatError, match=f"bad.labels, line 2: {message}"):
        read_labels(path, task)


@pytest.mark.parametrize(
    "row,message",
    [
        (
            "101\tDoubt\t160\t999",
            "line 1: the span \\[160, 999\\) runs past the end of article 101",
        ),
        ("555\tDoubt\t1\t4", "line 1: article 555 is not among the articles read"),
    ],
)
def test_semeval_read_corpus_bad_offsets(tmp_path, row, message):
    path = tmp_path / "x.labels"
    path.write_text(row + "\n", newline="")
    with pytest.raises(CorpusFormatError, match=message):
        read_corpus(ARTICLES, path)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda p: read_labels(p / "missing.labels"), "missing.labels does not exist"),
        (lambda p: read_labels(p), "No `.labels` files found in folder"),
        (lambda p: read_articles(p), "No `article<ID>.txt` files found in"),
        (lambda p: read_corpus(p), "No gold labels found next to"),
        (lambda p: load_split(p, "test"), "Unknown split 'test'"),
    ],
)
def test_semeval_missing_inputs_are_clear_errors(tmp_path, call, message):
    with pytest.raises(CorpusFormatError, match=message):
        call(tmp_path)


@pytest.mark.corpus
def test_semeval_ptc_dev_round_trip(ptc_dir, tmp_path):
    docs = load_split(ptc_dir, "dev")
    assert len(docs) == 75 and sum(len(d.spans) for d in docs) == 1063
    # PTC v2 trimmed every span so it neither starts nor ends with a space or newline.
    assert all(s.text == s.text.strip() for d in docs for s in d.spans)
    for name, task in [("dev-task-flc-tc.labels", "flc"), ("dev-task-si.labels", "si")]:
        out = write_labels(tmp_path / name, read_labels(ptc_dir / name, task), task)
        assert out.read_bytes() == (ptc_dir / name).read_bytes()

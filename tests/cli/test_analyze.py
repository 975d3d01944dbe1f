from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from proplens.cli import app
from tests.fakes import StandInPipeline

ROOT = Path(__file__).resolve().parents[2]
TEXT = "The council is reckless. These traitors sold the rail yard. Nothing else."


@pytest.fixture(autouse=True)
def standin(monkeypatch, request):
    loaded = {}
    if "real_model" in request.node.name:
        return loaded

    def fake_load(model, threshold):
        loaded["args"] = (model, threshold)
        return StandInPipeline(threshold or 0.0)

    monkeypatch.setattr("proplens.cli.analyze.load_pipeline", fake_load)
    return loaded


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article42.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def run(*args, input=None):
    return CliRunner().invoke(app, ["analyze", *map(str, args)], input=input)


def test_analyze_text_marks_and_summary(article):
    result = run(article)
    assert result.exit_code == 0, result.output
    assert "The council is [reckless](1). These [traitors](2) sold" in result.output
    assert "The model's estimate: 2 marks shown" in result.output
    assert "(1) Loaded language · likely, 80%" in result.output and "\x1b[" not in result.output


def test_analyze_text_colour_in_terminal(article):
    result = run(article, "--color")
    assert result.exit_code == 0 and "reckless" in result.output
    # Loaded language and name calling get different 256-colour codes, and numbers stand apart.
    assert "38;5;197mreckless" in result.output and "38;5;208mtraitors" in result.output
    assert "38;5;197m(1)" in result.output


def test_analyze_show_weak_lists_every_mark(tmp_path, monkeypatch):
    from tests import fakes

    monkeypatch.setattr(fakes, "RULES", (*fakes.RULES, (r"\blied\b", "Doubt", 0.1)))
    path = tmp_path / "a.txt"
    path.write_text("The traitors lied.", encoding="utf-8")
    hidden, shown = run(path).output, run(path, "--show-weak").output
    assert "[lied]" not in hidden and "1 weaker mark (under 25%) is not shown" in hidden
    assert "[lied](2)" in shown and "(2) Doubt · weak, 10%" in shown


def test_analyze_json_is_api_shape(article):
    data = json.loads(run(article, "--format", "json").output)
    assert data["id"] == "42" and data["summary"]["counts"] == {
        "Loaded_Language": 1,
        "Name_Calling,Labeling": 1,
    }
    span = data["spans"][0]
    assert span["definition"] and span["alternatives"][0]["technique"] == "Doubt"
    assert data["model"]["name"] == "stand-in"


def test_analyze_semeval_rows(article):
    out = run(article, "--format", "semeval").output
    assert out == "42\tLoaded_Language\t15\t23\n42\tName_Calling,Labeling\t31\t39\n"


@pytest.mark.parametrize(
    "fmt,needle", [("html", "<!doctype html>"), ("md", "| Loaded language | 1 |")]
)
def test_analyze_reports_to_file(article, tmp_path, fmt, needle):
    out = tmp_path / f"report.{fmt}"
    result = run(article, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    assert needle in out.read_text(encoding="utf-8")


def test_analyze_stdin_and_threshold(standin, monkeypatch):
    monkeypatch.delenv("PROPLENS_MODEL")  # no --model and no environment: the default model
    result = run("-", "--threshold", "0.85", input=TEXT)
    assert result.exit_code == 0, result.output
    assert standin["args"] == (None, 0.85)
    assert "[traitors](1)" in result.output and "[reckless]" not in result.output


def test_analyze_folder_json_lines(tmp_path):
    for i in (1, 2):
        (tmp_path / f"article{i}.txt").write_text(f"Article {i}: traitors.", encoding="utf-8")
    lines = run(tmp_path, "-f", "json").output.strip().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["1", "2"]


@pytest.mark.parametrize(
    "args,message",
    [(["missing.txt"], "No such file or folder"), (["-", "--threshold", "2"], "Invalid value")],
)
def test_analyze_errors(args, message):
    result = run(*args, input="")
    assert result.exit_code in (1, 2) and message in result.output


def test_analyze_empty_stdin_one_sentence():
    result = run("-", input="   \n")
    assert result.exit_code == 1 and "empty" in result.output


def test_analyze_real_model_example_article():
    from proplens.errors import ModelError
    from proplens.pipeline import DEFAULT_MODEL, load

    try:
        load(DEFAULT_MODEL)
    except ModelError as exc:
        pytest.skip(f"The default model is not shipped yet: {exc}")
    result = run(ROOT / "examples" / "op-ed.txt")
    assert result.exit_code == 0, result.output
    assert "](1)" in result.output and "The model's estimate:" in result.output
    data = json.loads(run(ROOT / "examples" / "op-ed.txt", "-f", "json").output)
    assert data["spans"] and data["model"]["name"]
    assert all(0 <= s["score"] <= 1 and s["definition"] for s in data["spans"])


def test_analyze_failed_run_leaves_no_output(tmp_path):
    out = tmp_path / "out.json"
    result = run(tmp_path / "missing.txt", "-f", "json", "-o", out)
    assert result.exit_code == 1 and not out.exists()


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_analyze_failed_run_keeps_previous_output(tmp_path, fmt):
    out = tmp_path / "out.txt"
    out.write_text("yesterday")
    result = run(tmp_path / "missing.txt", "-f", fmt, "-o", out)
    assert result.exit_code == 1 and out.read_text() == "yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_analyze_output_replaced_on_success(article, tmp_path):
    out = tmp_path / "out.json"
    out.write_text("yesterday")
    assert run(article, "-f", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text())["text"] == TEXT


def test_analyze_output_folder_missing_one_sentence(article, tmp_path):
    result = run(article, "-o", tmp_path / "nope" / "out.txt")
    assert result.exit_code == 1 and "Could not write" in result.output
    assert "Traceback" not in result.output


def test_analyze_folder_reports_skipped_files_as_lines(tmp_path):
    (tmp_path / "article1.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run(tmp_path, "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["text"] == TEXT
    assert result.stderr.startswith("Skipped: ") and "photo.txt" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Warning" not in result.stderr


def test_analyze_folder_of_unreadable_files_names_first_problem(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    result = run(tmp_path)
    assert result.exit_code == 1
    assert "No article could be read (2 skipped); the first problem is" in result.output
    assert "a.txt" in result.output and "PNG" in result.output


@pytest.mark.parametrize("colour", ["--no-color", "--color"])
def test_analyze_text_hides_terminal_controls(tmp_path, colour):
    path = tmp_path / "esc.txt"
    path.write_text("Title\x1b]0;x\x07\n\nThese traitors \x1b[2J\x9b1m left.", encoding="utf-8")
    out = run(path, colour).stdout
    assert "traitors" in out and "\x07" not in out and "\x9b" not in out
    assert "\x1b]" not in out and "\x1b[2J" not in out and "\ufffd" in out
    data = json.loads(run(path, "-f", "json").stdout)
    assert "\x1b[2J\x9b1m" in data["text"]


@pytest.mark.parametrize("page", ["story.html", "story.txt"])
def test_analyze_url_gives_same_spans_as_saved_file(site, tmp_path, page):
    from tests.local_site import ROUTES

    saved = tmp_path / page
    saved.write_bytes(ROUTES[f"/{page}"][2])
    from_url = json.loads(run(f"{site}/{page}", "-f", "json").output)
    from_file = json.loads(run(saved, "-f", "json").output)
    assert from_url["spans"] and from_url["spans"] == from_file["spans"]
    assert from_url["text"] == from_file["text"] and from_url["url"].startswith(site)


def test_analyze_url_real_model_same_spans_as_saved_file(site, tmp_path):
    from proplens.errors import ModelError
    from proplens.pipeline import DEFAULT_MODEL, load
    from tests.local_site import PAGE

    try:
        load(DEFAULT_MODEL)
    except ModelError as exc:
        pytest.skip(f"The default model is not shipped yet: {exc}")
    saved = tmp_path / "story.html"
    saved.write_bytes(PAGE)
    from_url = json.loads(run(f"{site}/story.html", "-f", "json", "-t", "0").output)
    from_file = json.loads(run(saved, "-f", "json", "-t", "0").output)
    assert from_url["spans"] == from_file["spans"] and from_url["spans"]


def test_analyze_url_failure_is_one_sentence(site):
    result = run(f"{site}/gone")
    assert result.exit_code == 1 and "answered 404 Not Found" in result.output


@pytest.mark.parametrize("progress", ["0", "1"])
def test_analyze_folder_progress_bar_on_stderr_only_when_wanted(tmp_path, progress):
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["analyze", str(tmp_path), "-f", "json"], env={"PROPLENS_PROGRESS": progress}
    )
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3
    assert ("Analysing" in result.stderr and "3/3" in result.stderr) is (progress == "1")

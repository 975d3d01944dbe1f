"""The bad-input catalogue through the CLI: exit 1 with one sentence, never a traceback or a hang,
and no half-written output file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.hardening.catalogue import TEXT, cases, check_ok_text

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]
CASES = cases()


def run(args, **kw):
    from proplens.cli import app

    result = CliRunner().invoke(app, args, **kw)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def assert_one_sentence_error(result, pattern):
    assert result.exit_code == 1, result.output
    error = result.stderr.strip()
    assert error.startswith("Error: ") and "\n" not in error, error
    assert re.search(pattern, error, re.I), error


@pytest.mark.parametrize("name,filename,data,expect", CASES, ids=[c[0] for c in CASES])
def test_cli_extract_bad_input_catalogue(tmp_path, name, filename, data, expect):
    path = tmp_path / filename
    path.write_bytes(data)
    result = run(["extract", "--json", str(path)])
    kind, what = expect
    if kind == "error":
        assert_one_sentence_error(result, what)
    else:
        assert result.exit_code == 0, result.output
        check_ok_text(json.loads(result.stdout.splitlines()[0])["text"], what)


@pytest.fixture
def standin(monkeypatch):
    from tests.fakes import StandInPipeline

    monkeypatch.setattr(
        "proplens.cli.analyze.load_pipeline", lambda model, threshold: StandInPipeline()
    )


@pytest.mark.parametrize("name,filename,data,expect", CASES, ids=[c[0] for c in CASES])
def test_cli_analyze_bad_input_catalogue(tmp_path, standin, name, filename, data, expect):
    path = tmp_path / filename
    path.write_bytes(data)
    result = run(["analyze", "--format", "json", str(path)])
    kind, what = expect
    if kind == "error":
        assert_one_sentence_error(result, what)
    else:
        assert result.exit_code == 0, result.output
        data_out = json.loads(result.stdout)
        check_ok_text(data_out["text"], what)
        for span in data_out["spans"]:
            assert data_out["text"][span["start"] : span["end"]] == span["text"]


@pytest.mark.parametrize("fmt", ["json", "text", "semeval", "html", "md"])
def test_cli_analyze_failed_run_leaves_output_untouched(tmp_path, standin, fmt):
    """A failing `-o OUT` run must neither create OUT nor truncate an OUT that was there before."""
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    fresh, existing = tmp_path / "fresh.out", tmp_path / "existing.out"
    existing.write_text("previous report")
    for out in (fresh, existing):
        result = run(["analyze", "--format", fmt, "-o", str(out), str(bad)])
        assert_one_sentence_error(result, "PNG")
    assert not fresh.exists()
    assert existing.read_text() == "previous report"


def test_cli_analyze_folder_with_bad_file_still_writes_good_ones(tmp_path, standin):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT)
    (folder / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    result = run(["analyze", "--format", "json", str(folder)])
    assert result.exit_code == 0, result.output
    assert "traitors" in result.stdout


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["score", "-t", "si", "{bad}", "{good}"], r"line 1: expected 3"),
        (["score", "-t", "flc", "{good4}", "{missing}"], r"does not exist"),
        (["score", "-t", "flc", "{unknown}", "{good4}"], r"unknown technique 'Loaded_language'"),
    ],
)
def test_cli_score_bad_label_files(tmp_path, args, pattern):
    files = {
        "bad": "1\t5\n",
        "good": "1\t0\t5\n",
        "good4": "1\tDoubt\t0\t5\n",
        "unknown": "1\tLoaded_language\t0\t5\n",
    }
    paths = {k: tmp_path / f"{k}.labels" for k in [*files, "missing"]}
    for key, body in files.items():
        paths[key].write_text(body)
    result = run([a.format(**{k: str(v) for k, v in paths.items()}) for a in args])
    assert_one_sentence_error(result, pattern)


# --- real processes: the installed console script, stdin, a 50 MB file, measured memory ---


def proplens(*args, stdin=None, env=None, timeout=60):
    cmd = [str(ROOT / ".venv" / "bin" / "proplens"), *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout, env=env, cwd=ROOT)


@pytest.mark.parametrize(
    "stdin,pattern",
    [(b"", r"empty"), (b"\x89PNG\r\n\x1a\n" + bytes(20), r"PNG"), (b"a\x00b", r"NUL")],
    ids=["empty", "png", "nul"],
)
def test_cli_extract_stdin_bad_input_exits_1(stdin, pattern):
    proc = proplens("extract", "-", stdin=stdin)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err
    assert re.search(pattern, err, re.I) and err.count("\n") == 1


def peak_rss_mb(cmd, env=None, stdin=None, timeout=60):
    """Run `cmd`; return (exit code, stdout, stderr, peak RSS in MB with children)."""
    import tempfile

    import psutil

    out_f, err_f = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # pipes could fill and block
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE if stdin else None, stdout=out_f, stderr=err_f, env=env, cwd=ROOT
    )
    ps, peak, deadline = psutil.Process(proc.pid), 0, time.monotonic() + timeout
    if stdin:
        import threading

        def feed():
            try:
                proc.stdin.write(stdin)
                proc.stdin.close()
            except BrokenPipeError:  # the CLI refused the input before reading all of it
                pass

        threading.Thread(target=feed, daemon=True).start()
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            peak = max(
                peak, ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(True))
            )
        except psutil.Error:
            pass
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
        pytest.fail(f"{cmd} did not finish in {timeout} s")
    out_f.seek(0)
    err_f.seek(0)
    return proc.returncode, out_f.read().decode(), err_f.read().decode(), peak / 2**20


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.txt"
    line = (TEXT + "\n").encode()
    with open(path, "wb") as f:
        for _ in range(50 * 2**20 // len(line) + 1):
            f.write(line)
    return path


@pytest.mark.parametrize("via", ["path", "stdin"])
def test_cli_50mb_file_refused_with_limit_and_option_in_bounded_memory(big_file, via):
    exe = str(ROOT / ".venv" / "bin" / "proplens")
    stdin = big_file.read_bytes() if via == "stdin" else None
    code, _, err, peak = peak_rss_mb(
        [exe, "extract", "-" if via == "stdin" else str(big_file)], stdin=stdin
    )
    assert code == 1 and "Traceback" not in err, err
    assert re.search(r"over the limit of [\d,]+ bytes.*--max-bytes", err), err
    # The CLI alone is ~110 MB; reading 50 MB into memory would show up here.
    assert peak < 200, f"peak RSS {peak:.0f} MB"


@pytest.mark.parametrize("cmd", [["analyze"], ["batch", "--no-progress", "--db", "{db}"]])
def test_cli_50mb_file_refused_by_analyze_and_batch(big_file, tmp_path, cmd):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PROPLENS_PIPELINE_FACTORY": "tests.fakes:KeywordPipeline",
        "PROPLENS_HOME": str(tmp_path),
    }
    args = [a.format(db=tmp_path / "p.db") for a in cmd]
    exe = [
        sys.executable,
        "-c",
        "from proplens.cli import main; import sys; sys.argv[0]='proplens'; main()",
    ]
    if cmd[0] == "analyze":
        # `analyze` loads a model folder; the stand-in replaces it through the module hook.
        exe = [
            sys.executable,
            "-c",
            "import proplens.cli.analyze as a; from tests.fakes import StandInPipeline;"
            "a.load_pipeline = lambda m, t: StandInPipeline();"
            "from proplens.cli import main; main()",
        ]
    code, out, err, peak = peak_rss_mb([*exe, *args, str(big_file)], env=env, timeout=90)
    assert "Traceback" not in err + out, err
    assert re.search(r"over the limit of [\d,]+ bytes", err + out), err + out
    assert peak < 400, f"peak RSS {peak:.0f} MB"


def test_cli_extract_memory_per_input_byte_fits_default_limit_in_1gb(big_file, tmp_path):
    """A file just under the default 20 MB limit must be readable on a 1 GB budget, so each input
    byte may cost at most ~45 bytes of memory above the CLI's baseline (measured on 2 MB)."""
    small = tmp_path / "two-mb.txt"
    with open(big_file, "rb") as f:
        small.write_bytes(f.read(2 * 2**20))
    exe = str(ROOT / ".venv" / "bin" / "proplens")
    _, _, _, base = peak_rss_mb([exe, "extract", str(tmp_path / "missing.txt")])
    code, _, err, peak = peak_rss_mb([exe, "extract", str(small)])
    assert code == 0, err
    per_byte = (peak - base) * 2**20 / small.stat().st_size
    assert per_byte < 45, f"{per_byte:.0f} bytes of memory per input byte (peak {peak:.0f} MB)"


@pytest.mark.parametrize("command", [["analyze"], ["serve", "--port", "0"]])
@pytest.mark.parametrize(
    "meta,skip,pattern",
    [
        ({"proplens_version": "0.0.1"}, ("model.onnx",), r"missing model\.onnx"),
        ({"proplens_version": "99.1.0"}, (), r"written by proplens 99\.1\.0, newer"),
    ],
    ids=["missing-file", "newer-version"],
)
def test_cli_bad_model_folder_exits_1_with_one_sentence(tmp_path, command, meta, skip, pattern):
    from tests.hardening.test_bad_input_lib import fake_model

    folder = fake_model(tmp_path / "model", meta=meta, skip=skip)
    article = tmp_path / "a.txt"
    article.write_text(TEXT)
    args = [*command, "--model", str(folder)] + ([str(article)] if command[0] == "analyze" else [])
    assert_one_sentence_error(run(args), pattern)

"""Security checks of the input paths: file names from input data, server binding, model files,
and a scan of the source for shell, SQL-string and unsafe-deserialisation patterns."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from proplens.doc import Doc
from proplens.errors import CorpusFormatError

PKG = Path(__file__).resolve().parents[2] / "proplens"
SOURCES = sorted(p for p in PKG.rglob("*.py"))


@pytest.mark.parametrize(
    "doc_id", ["../../evil", "/etc/cron.d/x", "a/b", "..", "", None, "a\x00b", "x y"]
)
def test_semeval_write_labels_into_folder_refuses_ids_that_are_paths(tmp_path, doc_id):
    from proplens.corpus.semeval import write_labels

    out = tmp_path / "out"
    out.mkdir()
    doc = Doc("They are traitors.", id=doc_id)
    doc.add_span(9, 17, "Name_Calling,Labeling")
    with pytest.raises(CorpusFormatError, match="article id"):
        write_labels(out, [doc])
    assert list(tmp_path.rglob("*.labels")) == []


def test_semeval_write_labels_into_folder_with_plain_ids(tmp_path):
    from proplens.corpus.semeval import write_labels

    doc = Doc("They are traitors.", id="111")
    doc.add_span(9, 17, "Name_Calling,Labeling")
    write_labels(tmp_path, [doc])
    assert (
        tmp_path / "article111.task-flc-tc.labels"
    ).read_text() == "111\tName_Calling,Labeling\t9\t17\n"


def test_serve_binds_loopback_by_default():
    from proplens.cli.serve import serve_cmd

    host = next(p for p in serve_cmd.params if p.name == "host")
    assert host.default == "127.0.0.1"


def calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(PKG)) for p in SOURCES])
def test_source_has_no_shell_pickle_or_sql_strings(path):
    """No shell commands, pickle, eval/exec, unsafe YAML or SQL text built with f-strings/format."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node, name in calls(tree):
        if name in {
            "eval",
            "exec",
            "os.system",
            "os.popen",
            "pickle.load",
            "pickle.loads",
            "marshal.loads",
            "yaml.load",
            "dill.load",
            "joblib.load",
        }:
            bad.append(name)
        if name.startswith("subprocess.") and any(k.arg == "shell" for k in node.keywords):
            bad.append(f"{name}(shell=...)")
        if name == "torch.load" and not any(
            k.arg == "weights_only" and ast.unparse(k.value) == "True" for k in node.keywords
        ):
            bad.append("torch.load without weights_only=True")
        if name in {"np.load", "numpy.load"} and any(
            k.arg == "allow_pickle" for k in node.keywords
        ):
            bad.append("np.load(allow_pickle=...)")
        if (
            name.endswith(("sa.text", "sqlalchemy.text", "exec_driver_sql", ".execute"))
            and node.args
        ):
            arg = node.args[0]
            if (
                isinstance(arg, ast.JoinedStr)
                or (isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Add, ast.Mod)))
                or (isinstance(arg, ast.Call) and ast.unparse(arg.func).endswith(".format"))
            ):
                bad.append(f"SQL built from a string: {ast.unparse(node)[:80]}")
    assert not bad, bad


def test_model_files_are_read_only_as_onnx_safetensors_and_json():
    """The runtime (not the training extra) reads model folders with ONNX Runtime, safetensors,
    tokenizers' JSON and `json` only."""
    runtime = [p for p in SOURCES if "training" not in p.parts]
    text = "\n".join(p.read_text(encoding="utf-8") for p in runtime)
    assert not re.search(r"\bimport (pickle|dill|joblib|cloudpickle)\b|torch\.load", text)
    assert "safetensors" in text and "InferenceSession" in text


def test_upload_type_decided_by_content_not_name():
    from proplens.ingest import sniff_kind
    from tests.hardening.catalogue import SCRIPT_HTML, make_pdf

    assert sniff_kind(make_pdf(["x"]), "notes.txt") == "pdf"
    assert sniff_kind(SCRIPT_HTML.encode(), "notes.txt") == "html"
    with pytest.raises(CorpusFormatError.__mro__[1]):  # ProplensError
        sniff_kind(b"just text", "fake.pdf")

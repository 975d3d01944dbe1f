"""A file name that is not UTF-8 (Latin-1 bytes from a Windows zip) is read and shown with
`\\xNN` escapes by every command, never a crash."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from proplens.cli import app

NAME = b"article7\xe9t\xe9.txt"
SHOWN = "article7\\xe9t\\xe9.txt"


@pytest.mark.parametrize(
    "command",
    [
        ["extract"],
        ["analyze", "-f", "json", "--model", "tests.fakes:StandInPipeline"],
        ["analyze", "-f", "html", "--model", "tests.fakes:StandInPipeline", "-o", "OUT"],
    ],
)
def test_commands_read_a_folder_with_a_latin1_file_name(tmp_path, command):
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), NAME), "wb") as f:
        f.write(b"The reckless traitors.")
    out = tmp_path / "report.html"
    args = [str(out) if a == "OUT" else a for a in command]
    result = CliRunner().invoke(app, [args[0], str(folder), *args[1:]])
    assert result.exit_code == 0, result.output
    shown = out.read_text(encoding="utf-8") if out.exists() else result.output
    assert SHOWN.replace("\\", "\\\\") in shown or SHOWN in shown

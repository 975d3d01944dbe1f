"""`export -o` on a full disk says so in a sentence and leaves the earlier file as it was."""

from __future__ import annotations

import errno

from click.testing import CliRunner

from proplens.cli import app


def test_export_full_disk_is_a_sentence_and_keeps_the_old_file(tmp_path, monkeypatch):
    def full(store, out, fmt):
        out.write("partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("proplens.cli.export.export", full)
    old = tmp_path / "out.jsonl"
    old.write_text("earlier export\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(app, ["export", "--db", db, "-f", "jsonl", "-o", str(old)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Could not write {old}: No space left on device. It was left as it was" in result.output
    assert old.read_text(encoding="utf-8") == "earlier export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []

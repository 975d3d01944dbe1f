"""Folders do not follow links out of themselves; broken links and loops are named as such."""

from __future__ import annotations

import pytest

from proplens.errors import IngestError
from proplens.ingest import iter_folder, read_path


def test_folder_skips_links_to_files_outside_it(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private notes", encoding="utf-8")
    folder = tmp_path / "unzipped"
    folder.mkdir()
    (folder / "a.txt").write_text("An article.", encoding="utf-8")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    (folder / "c.txt").symlink_to(secret)
    assert [p.name for p in iter_folder(folder)] == ["a.txt", "b.txt"]


@pytest.mark.parametrize("target", ["loop.txt", "missing.txt"])
def test_broken_link_or_loop_is_named_as_such(tmp_path, target):
    link = tmp_path / "loop.txt"
    link.symlink_to(tmp_path / target)
    with pytest.raises(IngestError, match="is a symbolic link to a missing file or a link loop"):
        read_path(link)

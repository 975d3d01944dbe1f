from __future__ import annotations

import os

import pytest

from proplens.iohelpers import atomic_write


@pytest.mark.parametrize("existed", [True, False])
def test_iohelpers_atomic_write_failure_leaves_target_untouched(tmp_path, existed):
    target = tmp_path / "out.txt"
    if existed:
        target.write_text("previous")
    with pytest.raises(RuntimeError), atomic_write(target) as out:
        out.write("half")
        raise RuntimeError("boom")
    assert (target.read_text() if existed else target.exists()) == (
        "previous" if existed else False
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out.txt"] if existed else [])


def test_iohelpers_atomic_write_replaces_and_keeps_mode(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("previous")
    os.chmod(target, 0o640)
    with atomic_write(target) as out:
        out.write("new\r\n")
    assert target.read_bytes() == b"new\r\n" and os.stat(target).st_mode & 0o777 == 0o640


def test_iohelpers_atomic_write_follows_symlink_and_binary(tmp_path):
    real, link = tmp_path / "real.bin", tmp_path / "link.bin"
    real.write_bytes(b"old")
    link.symlink_to(real)
    with atomic_write(link, "wb") as out:
        out.write(b"\x00new")
    assert link.is_symlink() and real.read_bytes() == b"\x00new"

"""Where proplens keeps its data: `PROPLENS_HOME`, else the platform's user data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DB_FILENAME = "proplens.db"


def user_dir() -> Path:
    """The folder for proplens data, created if missing.

    Returns:
        `$PROPLENS_HOME` when set; otherwise `~/.local/share/proplens` (or
        `$XDG_DATA_HOME/proplens`) on Linux, `~/Library/Application Support/proplens` on macOS,
        `%APPDATA%\\proplens` on Windows.
    """
    home = os.environ.get("PROPLENS_HOME")
    if home:
        path = Path(home).expanduser()
    elif sys.platform == "win32":
        path = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "proplens"
    elif sys.platform == "darwin":
        path = Path.home() / "Library" / "Application Support" / "proplens"
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        path = Path(base) / "proplens"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """The SQLite URL of the default database, `<user_dir>/proplens.db`."""
    return f"sqlite:///{user_dir() / DB_FILENAME}"

"""Persistent storage for analysed articles: `Store` over SQLite (default) or PostgreSQL."""

from proplens.storage.paths import default_db_url, user_dir
from proplens.storage.store import DONE, FAILED, ModelId, Result, Store

__all__ = ["DONE", "FAILED", "ModelId", "Result", "Store", "default_db_url", "user_dir"]

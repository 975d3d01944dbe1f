"""The one shared conftest: fixtures used across test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(os.environ.get("PROPLENS_SHARED", ROOT.parent / "shared"))
PTC = SHARED / "corpora" / "ptc"


@pytest.fixture(scope="session", autouse=True)
def _fast_model_unless_named():
    """Tests run on the fast shipped model unless `PROPLENS_MODEL` names another: the default
    may be `accurate`, about ten times slower. The accurate model has its own tests
    (tests/test_shipped_models.py). Session scope, so module-scoped models load it too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROPLENS_MODEL", os.environ.get("PROPLENS_MODEL") or "fast")
        yield


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point PROPLENS_HOME at a temporary folder so no test touches the user's data."""
    monkeypatch.setenv("PROPLENS_HOME", str(tmp_path_factory.mktemp("proplens_home")))


@pytest.fixture
def ptc_dir() -> Path:
    """The real PTC corpus folder; the test is skipped when ../shared is absent."""
    if not (PTC / "dev-articles").is_dir():
        pytest.skip(f"PTC corpus not found at {PTC} (set PROPLENS_SHARED to the shared folder).")
    return PTC


@pytest.fixture
def sample_pdf_text() -> Path:
    path = SHARED / "samples" / "pdf-extracted-article.txt"
    if not path.is_file():
        pytest.skip(f"Sample article not found at {path}.")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, or the server at PROPLENS_TEST_POSTGRES_URL (emptied)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = os.environ.get("PROPLENS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PROPLENS_TEST_POSTGRES_URL is not set (start a server with .ci/postgres.sh).")
    from tests.fakes import empty_postgres

    empty_postgres(url)
    return url


@pytest.fixture(scope="module")
def site():
    """A local web site (`tests.local_site`) on 127.0.0.1; yields its base address."""
    import threading
    from http.server import ThreadingHTTPServer

    from tests.local_site import Handler

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()

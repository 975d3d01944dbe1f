"""Fetching articles from web addresses: a local HTTP server on 127.0.0.1 only, no network."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer

import pytest

from proplens.ingest.fetch import FetchError, check_host, doc_from_url, fetch
from tests.local_site import Handler


def test_fetch_reads_html_article_with_url(site):
    doc = doc_from_url(site + "/story.html")
    assert "cowardly traitors sold the rail yard" in doc.text and "<p>" not in doc.text
    assert doc.url.startswith(site)


def test_fetch_follows_a_redirect(site):
    assert fetch(site + "/moved").url == site + "/story.html"


@pytest.mark.parametrize(
    "path,options,message",
    [
        ("/gone", {}, "answered 404 Not Found"),
        ("/logo.png", {}, "is image/png, not an article"),
        ("/big.html", {"max_bytes": 1000}, "larger than the limit of 1,000 bytes"),
        ("/hop/0", {"max_redirects": 3}, "redirected more than 3 times"),
        ("/story.html", {"allow_private": False}, "non-public network address"),
    ],
)
def test_fetch_failures_are_one_sentence(site, path, options, message):
    with pytest.raises(FetchError, match=message):
        fetch(site + path, **options)


@pytest.mark.parametrize(
    "url,message",
    [
        ("ftp://example.org/a.txt", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("http://no-such-host.invalid/x", "DNS lookup failed"),
    ],
)
def test_fetch_refuses_other_schemes_and_unknown_hosts(url, message):
    with pytest.raises(FetchError, match=message):
        check_host(url, allow_private=True)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/"]
)
def test_fetch_refuses_private_addresses_unless_allowed(url):
    with pytest.raises(FetchError, match="allow-private-urls"):
        check_host(url, allow_private=False)
    check_host(url, allow_private=True)


def test_fetch_connects_to_the_address_it_checked(site, monkeypatch):
    """With private addresses refused, the request goes to the resolved and checked address
    (keeping the name in `Host`): a DNS answer that changes after the check cannot redirect it."""
    import proplens.ingest.fetch as fetch_module

    port = int(site.rsplit(":", 1)[1])
    real = fetch_module.socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "news.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(fetch_module, "_non_public", lambda address: False)
    got = fetch(f"http://news.example:{port}/story.html", allow_private=False)
    assert got.url == f"http://news.example:{port}/story.html" and b"traitors" in got.content


def test_fetch_url_list_skips_failures_with_reasons(site, tmp_path):
    from proplens.ingest.fetch import docs_from_urls, read_url_list

    listing = tmp_path / "urls.txt"
    listing.write_text(f"# morning run\n{site}/story.html\n\n{site}/gone\n{site}/story.txt\n")
    errors: list = []
    docs = docs_from_urls(read_url_list(listing), errors)
    assert [d.url for d in docs] == [f"{site}/story.html", f"{site}/story.txt"]
    assert len(errors) == 1 and "answered 404" in str(errors[0])
    listing.write_text("not a url\n")
    with pytest.raises(FetchError, match="line 1: 'not a url' is not an http"):
        read_url_list(listing)


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate (which no client trusts)."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_untrusted_certificate_is_a_tls_error(tls_site):
    with pytest.raises(FetchError, match=r"The secure \(TLS\) connection to .* failed"):
        fetch(tls_site + "/story.html", timeout=5)


def test_batch_over_a_url_list_stores_each_page_and_records_failures(site, tmp_path):
    from click.testing import CliRunner

    from proplens.cli import app
    from proplens.storage import Store

    listing = tmp_path / "morning.urls"
    listing.write_text(f"{site}/story.html\n{site}/gone\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    args = ["batch", str(listing), f"{site}/story.txt", "--db", db]
    result = CliRunner().invoke(app, [*args, "--model", "tests.fakes:KeywordPipeline"])
    assert result.exit_code == 3, result.output  # one input failed
    assert "answered 404" in result.output
    with Store(db) as store:
        urls = sorted(d.url for d in store.iter_articles())
    assert urls == [f"{site}/story.html", f"{site}/story.txt"]

"""The Maven mirror: a read-only HTTP server on 127.0.0.1 over a local repository."""

from __future__ import annotations

import hashlib
import http.client
import logging
import re
import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from slimlab.errors import MirrorError
from slimlab.kit import mirror
from slimlab.kit.mirror import find_artifact, resolve_path

ARTIFACT = "org/example/demo/1.0/demo-1.0.jar"
POM = "org/example/demo/1.0/demo-1.0.pom"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("mirror")
    root = tmp_path / "repo"
    jar = root / ARTIFACT
    jar.parent.mkdir(parents=True)
    jar.write_bytes(bytes(range(256)) * 400)  # ~100 KB, not text
    (root / POM).write_text("<project/>\n")
    (root / (POM + ".sha1")).write_text("stored-sha1-wins\n")
    (root / "org/example/demo/maven-metadata-central.xml").write_text("<metadata/>\n")
    (tmp_path / "secret.txt").write_text("outside the repository")
    evil = root / "org/example/evil"  # a metadata copy that is a link out of the repository
    evil.mkdir(parents=True)
    (evil / "maven-metadata-evil.xml").symlink_to(tmp_path / "secret.txt")
    mixed = root / "org/example/mixed"  # the escaping link sorts before the real copy
    mixed.mkdir(parents=True)
    (mixed / "maven-metadata-a-evil.xml").symlink_to(tmp_path / "secret.txt")
    (root / "org/example/loop.jar").symlink_to("loop.jar")
    (root / "org/example/loopdir").symlink_to("loopdir")
    (mixed / "maven-metadata-local.xml").write_text("<metadata>local</metadata>\n")
    return root


@pytest.fixture(scope="module")
def _running(repo):
    with mirror.serve(repo) as running:  # one server: each stop waits out a 0.5 s poll
        yield running


@pytest.fixture
def served(_running):
    _running.stats.served = _running.stats.refused = 0
    _running.stats.missing.clear()
    return _running


def port_of(served) -> int:
    return int(served.url.rsplit(":", 1)[1].strip("/"))


def raw(served, method: str, path: str) -> tuple[int, bytes]:
    """Send a request line as is (urllib would normalise the path)."""
    conn = http.client.HTTPConnection("127.0.0.1", int(served.url.rsplit(":", 1)[1].strip("/")),
                                      timeout=5)
    conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_listens_on_loopback_only(served):
    assert served.url.startswith("http://127.0.0.1:")
    assert served._server.server_address[0] == "127.0.0.1"


def test_serves_a_file(served, repo):
    status, body = raw(served, "GET", "/" + ARTIFACT)
    assert status == 200 and body == (repo / ARTIFACT).read_bytes()
    assert served.stats.served == 1


def test_head_has_length_but_no_body(served, repo):
    conn = http.client.HTTPConnection(served.url[7:].rstrip("/"), timeout=5)
    conn.request("HEAD", "/" + ARTIFACT)
    response = conn.getresponse()
    assert response.status == 200
    assert int(response.getheader("Content-Length")) == (repo / ARTIFACT).stat().st_size
    assert response.read() == b""
    conn.close()


@pytest.mark.parametrize("algorithm", ["sha1", "md5", "sha256"])
def test_missing_checksums_are_computed(served, repo, algorithm):
    status, body = raw(served, "GET", f"/{ARTIFACT}.{algorithm}")
    expected = hashlib.new(algorithm, (repo / ARTIFACT).read_bytes()).hexdigest()
    assert status == 200 and body.decode() == expected


def test_a_stored_checksum_is_served_as_is(served):
    assert raw(served, "GET", f"/{POM}.sha1") == (200, b"stored-sha1-wins\n")


def test_checksum_of_a_missing_artifact_is_404(served):
    assert raw(served, "GET", "/org/example/nope-1.0.jar.sha1")[0] == 404


def test_maven_metadata_maps_to_the_local_repository_copy(served):
    assert raw(served, "GET", "/org/example/demo/maven-metadata.xml") == (200, b"<metadata/>\n")


def test_404_is_logged_with_the_path_and_recorded(served, caplog):
    with caplog.at_level(logging.WARNING, logger="slimlab.mirror"):
        status, _ = raw(served, "GET", "/org/example/missing/2.0/missing-2.0.jar")
    assert status == 404
    assert served.stats.missing == ["/org/example/missing/2.0/missing-2.0.jar"]
    assert any("MIRROR 404" in r.message and "missing-2.0.jar" in r.getMessage()
               for r in caplog.records)


@pytest.mark.parametrize("path", [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/org/%2E%2E/%2e%2e/../secret.txt",
    "/..%2fsecret.txt",
    "/org/x%00.jar",
])
def test_traversal_is_refused_with_403(served, path, caplog):
    with caplog.at_level(logging.WARNING, logger="slimlab.mirror"):
        status, body = raw(served, "GET", path)
    assert status == 403 and b"outside" not in body and b"root:" not in body
    assert served.stats.refused == 1


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_read_only(served, repo, method):
    assert raw(served, method, "/" + ARTIFACT)[0] == 405
    assert (repo / ARTIFACT).exists()


def test_twenty_parallel_downloads_are_all_correct(served, repo):
    expected = {
        ARTIFACT: (repo / ARTIFACT).read_bytes(),
        POM: (repo / POM).read_bytes(),
        ARTIFACT + ".sha256": hashlib.sha256((repo / ARTIFACT).read_bytes()).hexdigest().encode(),
    }
    paths = [list(expected)[i % 3] for i in range(20)]

    def fetch(path: str) -> bytes:
        with urllib.request.urlopen(served.url + path, timeout=10) as response:
            return response.read()

    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(fetch, paths))
    assert bodies == [expected[p] for p in paths]
    assert served.stats.served == 20


def test_clean_stop_frees_the_port(repo):
    running = mirror.start(repo)
    port = int(running.url.rstrip("/").rsplit(":", 1)[1])
    running.stop()
    assert not running._thread.is_alive()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(running.url + ARTIFACT, timeout=2)
    with socket.socket() as sock:  # the port can be bound again at once
        sock.bind(("127.0.0.1", port))
    with mirror.serve(repo, port=port) as again:
        assert again.url == running.url


def test_missing_repository_is_a_mirror_error(tmp_path):
    with pytest.raises(MirrorError) as info:
        mirror.start(tmp_path / "nope")
    assert "does not exist" in str(info.value) and "make kit" in info.value.hint


def test_busy_port_is_a_mirror_error(repo):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(MirrorError, match="cannot listen"):
            mirror.start(repo, port=sock.getsockname()[1])


def test_resolve_path_unit(repo):
    root = repo.resolve()
    assert resolve_path(root, "/" + ARTIFACT) == root / ARTIFACT
    assert resolve_path(root, "/../x") is None
    assert resolve_path(root, "/a/%2e%2e/%2e%2e/x") is None
    assert find_artifact(root, "/" + ARTIFACT + ".md5") == (root / ARTIFACT, "md5")


def test_url_for_builds(monkeypatch, tmp_path, repo):
    monkeypatch.setattr(mirror, "_shared", None)
    monkeypatch.setenv("SLIMLAB_MAVEN_MIRROR", "off")
    assert mirror.mirror_url_for_builds() == ""
    monkeypatch.setenv("SLIMLAB_MAVEN_MIRROR", "http://127.0.0.1:9999")
    assert mirror.mirror_url_for_builds() == "http://127.0.0.1:9999/"
    monkeypatch.setenv("SLIMLAB_MAVEN_MIRROR", "auto")
    monkeypatch.setenv("SLIMLAB_MAVEN_REPO", str(tmp_path / "absent"))
    assert mirror.mirror_url_for_builds() == ""
    monkeypatch.setenv("SLIMLAB_MAVEN_REPO", str(repo))
    url = mirror.mirror_url_for_builds()
    try:
        assert url.startswith("http://127.0.0.1:") and mirror.mirror_url_for_builds() == url
    finally:
        mirror._shared.stop()


@pytest.mark.parametrize("path", [
    "/org/example/evil/maven-metadata.xml",
    "/org/example/evil/maven-metadata.xml.sha256",
    "/org/example/evil/maven-metadata.xml.sha1",
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_metadata_link_out_of_the_repository_is_not_served(served, method, path):
    status, body = raw(served, method, path)
    assert status in (403, 404) and b"outside" not in body
    assert served.stats.served == 0


def test_metadata_mapping_skips_a_link_out_and_serves_the_real_copy(served, repo):
    status, body = raw(served, "GET", "/org/example/mixed/maven-metadata.xml")
    assert (status, body) == (200, b"<metadata>local</metadata>\n")
    root = repo.resolve()
    assert find_artifact(root, "/org/example/evil/maven-metadata.xml") == (None, None)
    assert find_artifact(root, "/org/example/evil/maven-metadata.xml.md5") == (None, None)


@pytest.mark.parametrize("path", [
    "/" + "a" * 300,
    "/org/" + "b" * 300 + ".jar.sha1",
    "/org/" + "c" * 300 + "/maven-metadata.xml",
    "/" + "/".join(["a"] * 5000),
    "/" + "/".join(["d" * 200] * 30),
])
def test_overlong_paths_are_answered_and_the_server_keeps_serving(served, repo, path):
    conn = http.client.HTTPConnection("127.0.0.1", port_of(served), timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        assert response.status in (404, 414)
        response.read()
        conn.request("GET", "/" + POM)  # same connection, or a new one if it was closed
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, (repo / POM).read_bytes())
    finally:
        conn.close()


@pytest.mark.parametrize("path", [
    "/org/example/loop.jar",
    "/org/example/loop.jar.sha1",
    "/org/example/loopdir/maven-metadata.xml",
])
def test_a_link_loop_is_404(served, path):
    assert raw(served, "GET", path) == (404, b"")
    assert served.stats.missing == [path]


def exchange(served, data: bytes) -> bytes:
    """Send raw bytes on one connection and read until the server closes it."""
    chunks = []
    with socket.create_connection(("127.0.0.1", port_of(served)), timeout=5) as sock:
        sock.sendall(data)
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # closed with request bytes unread: still closed
            pass
    return b"".join(chunks)


def statuses(data: bytes) -> list[int]:
    return [int(code) for code in re.findall(rb"^HTTP/1\.[01] (\d{3}) ", data, re.MULTILINE)]


SMUGGLED = f"GET /{ARTIFACT} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
LAST = b"GET /org/example/last.jar HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_a_refused_request_body_is_not_taken_for_the_next_request(served, method):
    head = f"{method} /{POM} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(SMUGGLED)}\r\n\r\n"
    data = exchange(served, head.encode() + SMUGGLED + LAST)
    assert statuses(data) == [405, 404]
    assert b"\r\nAllow: GET, HEAD\r\n" in data
    assert served.stats.served == 0 and served.stats.missing == ["/org/example/last.jar"]


def test_a_get_request_body_is_not_taken_for_the_next_request(served, repo):
    head = f"GET /{POM} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(SMUGGLED)}\r\n\r\n"
    data = exchange(served, head.encode() + SMUGGLED + LAST)
    assert statuses(data) == [200, 404]
    assert served.stats.served == 1 and served.stats.missing == ["/org/example/last.jar"]


@pytest.mark.parametrize("framing", [
    "Content-Length: 1000000000",
    "Content-Length: nonsense",
    "Content-Length: 5_0",
    "Transfer-Encoding: chunked",
])
def test_an_unreadable_body_closes_the_connection(served, framing):
    head = f"POST /{POM} HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n"
    chunked = f"{len(SMUGGLED):x}\r\n".encode() + SMUGGLED + b"\r\n0\r\n\r\n"
    data = exchange(served, head.encode() + chunked + LAST)
    assert statuses(data) == [405]
    assert b"\r\nConnection: close\r\n" in data and b"\r\nAllow: GET, HEAD\r\n" in data
    assert served.stats.served == 0


@pytest.mark.parametrize("suffix", ["?x=1", "#fragment", "?x=1#frag", "?"])
def test_query_and_fragment_are_ignored(served, repo, suffix):
    jar = (repo / ARTIFACT).read_bytes()
    assert raw(served, "GET", f"/{ARTIFACT}.sha1{suffix}") == (
        200, hashlib.sha1(jar).hexdigest().encode())
    assert raw(served, "GET", f"/{ARTIFACT}{suffix}") == (200, jar)
    assert raw(served, "GET", f"/org/example/demo/maven-metadata.xml{suffix}") == (
        200, b"<metadata/>\n")
    assert raw(served, "GET", f"/{POM}.sha1{suffix}") == (200, b"stored-sha1-wins\n")

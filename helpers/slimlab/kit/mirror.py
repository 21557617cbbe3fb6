"""A read-only Maven repository server on 127.0.0.1, for builds whose containers cannot
reach Maven Central. The machine's own Maven fills the repository (``kit.maven``); builds
get the server's URL through generated settings (``context``) and host networking.

What it does beyond ``http.server``: serves ``maven-metadata.xml`` from the local
repository's ``maven-metadata-<repo>.xml``, computes checksum files that the repository
lacks, refuses paths that leave the directory, and logs every 404 loudly with the path,
because a 404 means the repository lacks something a build needs.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from slimlab import config
from slimlab.errors import MirrorError

log = logging.getLogger("slimlab.mirror")

CHECKSUMS = {".sha1": "sha1", ".md5": "md5", ".sha256": "sha256", ".sha512": "sha512"}


def resolve_path(root: Path, url_path: str) -> Path | None:
    """The file a URL path names inside ``root``, or None when it would leave ``root``."""
    rel = unquote(urlsplit(url_path).path).lstrip("/")
    if "\x00" in rel:
        return None
    candidate = (root / rel).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate


def find_artifact(root: Path, url_path: str) -> tuple[Path | None, str | None]:
    """(file to serve, checksum algorithm to compute) for a request, or (None, None)."""
    path = resolve_path(root, url_path)
    if path is None:
        return None, None
    if path.is_file():
        return path, None
    for suffix, algorithm in CHECKSUMS.items():
        if path.name.endswith(suffix):
            base, _ = find_artifact(root, url_path[: -len(suffix)])
            return (base, algorithm) if base else (None, None)
    if path.name == "maven-metadata.xml":
        for alt in sorted(path.parent.glob("maven-metadata-*.xml")):
            return alt, None
    return None, None


@dataclass
class MirrorStats:
    served: int = 0
    missing: list[str] = field(default_factory=list)
    refused: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: _MirrorServer
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _refuse(self, code: int, reason: str) -> None:
        if code == 403:  # counted before answering, so a client that got the 403 sees it
            self.server.stats.refused += 1
            log.warning("mirror refused %s: %s", self.path, reason)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_allowed(self) -> None:
        self._refuse(405, "read-only")

    do_PUT = do_POST = do_DELETE = _not_allowed

    def _serve(self, send_body: bool) -> None:
        root = self.server.root
        if resolve_path(root, self.path) is None:
            self._refuse(403, "path leaves the repository")
            return
        path, algorithm = find_artifact(root, self.path)
        if path is None:
            self.server.stats.missing.append(self.path)
            log.warning("MIRROR 404: the repository lacks %s (re-run `make kit` to prime it)",
                        self.path)
            self._refuse(404, "missing")
            return
        if algorithm:
            body = hashlib.new(algorithm, path.read_bytes()).hexdigest().encode()
        else:
            body = path.read_bytes()
        self.server.stats.served += 1
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # quiet for 200s
        pass


class _MirrorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_port = False  # never share a port with another process's mirror

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.stats = MirrorStats()
        super().__init__(("127.0.0.1", port), _Handler)


@dataclass
class Mirror:
    """A running mirror: its URL, its repository and what it served."""

    url: str
    root: Path
    stats: MirrorStats
    _server: _MirrorServer
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start(root: Path | None = None, port: int = 0) -> Mirror:
    """Start serving ``root`` (default SLIMLAB_MAVEN_REPO) on 127.0.0.1; port 0 = a free one."""
    root = Path(root or config.maven_repo()).resolve()
    if not root.is_dir():
        raise MirrorError(
            f"The Maven repository {root} does not exist, so there is nothing to serve.",
            hint="Prime it with `make kit` (or `slimlab kit maven-repo`).",
        )
    try:
        server = _MirrorServer(root, port)
    except OSError as exc:
        raise MirrorError(
            f"The mirror cannot listen on 127.0.0.1:{port}: {exc.strerror}.",
            hint="Pick another port, or 0 for a free one.",
        ) from exc
    thread = threading.Thread(target=server.serve_forever, name="slimlab-mirror", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    return Mirror(url, root, server.stats, server, thread)


@contextmanager
def serve(root: Path | None = None, port: int = 0) -> Iterator[Mirror]:
    """``with serve() as mirror:`` runs a mirror for the block and always stops it."""
    mirror = start(root, port)
    try:
        yield mirror
    finally:
        mirror.stop()


_shared: Mirror | None = None
_lock = threading.Lock()
STABLE_PORT = 38477  # the port builds' mirror URL uses when it is free


def mirror_url_for_builds() -> str:
    """The mirror URL builds should use: SLIMLAB_MAVEN_MIRROR as a URL, ``off`` for none,
    or ``auto``: a mirror of SLIMLAB_MAVEN_REPO started once per process, if it exists."""
    global _shared
    setting = config.maven_mirror()
    if setting == "off":
        return ""
    if setting != "auto":
        return setting if setting.endswith("/") else setting + "/"
    if not config.maven_repo().is_dir():
        return ""
    with _lock:
        if _shared is None:
            # The URL lands in the build context (.mvn/), so a new port per process would
            # invalidate every Dockerfile's `COPY .mvn .mvn` and all later cached steps. A
            # stable port keeps the build cache across kernels; if it is taken, any port.
            try:
                _shared = start(port=STABLE_PORT)
            except MirrorError:
                _shared = start()
        return _shared.url

"""A read-only Maven repository server on 127.0.0.1, for builds whose containers cannot
reach Maven Central. The machine's own Maven fills the repository (``kit.maven``); builds
get the server's URL through generated settings (``context``) and host networking.

What it does beyond ``http.server``: serves ``maven-metadata.xml`` from the local
repository's ``maven-metadata-<repo>.xml``, computes checksum files that the repository
lacks, refuses paths that leave the directory, and logs every 404 loudly with the path,
because a 404 means the repository lacks something a build needs.
"""

from __future__ import annotations

import errno
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
MAX_PATH = 4096  # Linux PATH_MAX: no artifact path is longer, so a longer one gets 414
MAX_BODY = 1 << 20  # a request body up to this size is read and dropped; a larger one closes
ALLOWED = "GET, HEAD"


def _request_path(url_path: str) -> str:
    """The decoded path of a request target, without query and fragment: left in, they would
    become part of the file name (``x.jar.sha1?x=1``)."""
    if not url_path.startswith("/"):  # absolute-form (``http://host/path``), as proxies get
        url_path = urlsplit(url_path).path
    return unquote(url_path.split("?", 1)[0].split("#", 1)[0])


def _inside(root: Path, path: Path) -> Path | None:
    """``path`` with its links resolved, or None when that leaves ``root``: a link in the
    repository may point anywhere, so every file served is checked through this."""
    try:
        real = path.resolve()
    except RuntimeError as exc:  # a link loop, as Python < 3.13 reports it: no such file
        raise OSError(errno.ELOOP, str(exc), str(path)) from exc
    return real if real == root or root in real.parents else None


def resolve_path(root: Path, url_path: str) -> Path | None:
    """The file a URL path names inside ``root``, or None when it would leave ``root``;
    OSError when it cannot be resolved (a link loop)."""
    rel = _request_path(url_path).lstrip("/")
    if "\x00" in rel:
        return None
    return _inside(root, root / rel)


def _plain_file(root: Path, path: Path) -> Path | None:
    """The file behind a resolved ``path``: itself, or for ``maven-metadata.xml`` the local
    repository's ``maven-metadata-<repo>.xml``, if that stays inside ``root``."""
    if path.is_file():
        return path
    if path.name == "maven-metadata.xml":
        for alt in sorted(path.parent.glob("maven-metadata-*.xml")):
            real = _inside(root, alt)
            if real is None:
                log.warning("mirror skips %s: it leads out of the repository", alt)
            elif real.is_file():
                return real
    return None


def find_artifact(root: Path, url_path: str) -> tuple[Path | None, str | None]:
    """(file to serve, checksum algorithm to compute) for a request, or (None, None)."""
    try:
        path = resolve_path(root, url_path)
        if path is None:
            return None, None
        found = _plain_file(root, path)
        if found is not None:
            return found, None
        for suffix, algorithm in CHECKSUMS.items():
            if path.name.endswith(suffix):
                base = _inside(root, path.parent / path.name[: -len(suffix)])
                base = base and _plain_file(root, base)
                return (base, algorithm) if base else (None, None)
    except OSError:  # e.g. a name longer than the file system allows: there is no such file
        pass
    return None, None


@dataclass
class MirrorStats:
    served: int = 0
    missing: list[str] = field(default_factory=list)
    refused: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: _MirrorServer
    protocol_version = "HTTP/1.1"

    def parse_request(self) -> bool:
        """Drop the body of every request, and refuse every method but GET and HEAD here, so
        that no body is left on a kept-alive connection to be read as the next request."""
        if not super().parse_request():
            return False
        self._discard_body()
        if self.command not in ("GET", "HEAD"):
            self._refuse(405, "read-only", allow=ALLOWED)
            return False
        return True

    def _discard_body(self) -> None:
        """Read and drop a request body up to MAX_BODY; one that cannot be delimited safely
        (chunked, too large, odd Content-Length) closes the connection after the answer."""
        lengths = self.headers.get_all("Content-Length") or []
        if "Transfer-Encoding" in self.headers or len(lengths) > 1:
            self.close_connection = True
            return
        if not lengths:
            return
        raw = lengths[0].strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_BODY:
            self.close_connection = True
            return
        left = int(raw)
        while left:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                self.close_connection = True
                return
            left -= len(chunk)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _head(self, code: int, length: int, **headers: str) -> None:
        """Status and headers; says ``Connection: close`` when the connection will close."""
        self.send_response(code)
        self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-").title(), value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _refuse(self, code: int, reason: str, **headers: str) -> None:
        if code == 403:  # counted before answering, so a client that got the 403 sees it
            self.server.stats.refused += 1
            log.warning("mirror refused %s: %s", self.path, reason)
        self._head(code, 0, **headers)

    def _serve(self, send_body: bool) -> None:
        root = self.server.root
        if len(self.path) > MAX_PATH:  # answered before the file system can choke on it
            self._refuse(414, "path too long")
            return
        try:
            leaves = resolve_path(root, self.path) is None
        except OSError:  # unresolvable: find_artifact finds nothing, so a 404, not a 403
            leaves = False
        if leaves:
            self._refuse(403, "path leaves the repository")
            return
        path, algorithm = find_artifact(root, self.path)
        if path is None:
            self.server.stats.missing.append(self.path)
            log.warning("MIRROR 404: the repository lacks %s (re-run `make kit` to prime it)",
                        self.path)
            self._refuse(404, "missing")
            return
        try:
            body = path.read_bytes()
        except OSError as exc:  # gone or unreadable since the lookup: answer, don't hang up
            log.warning("mirror cannot read %s: %s", path, exc)
            self._refuse(500, "unreadable")
            return
        if algorithm:
            body = hashlib.new(algorithm, body).hexdigest().encode()
        self.server.stats.served += 1
        self._head(200, len(body), content_type="application/octet-stream")
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

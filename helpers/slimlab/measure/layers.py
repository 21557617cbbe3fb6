"""Read an image's layers the way a registry and overlay2 see them, without running it.

``docker save`` streams every layer as an uncompressed tar. One pass over each layer gives
its digest (the diff ID), its gzip-compressed size (what a registry stores and a pull
transfers) and its file index. Layers are cached by digest under SLIMLAB_HOME, so a base
shared by ten variants is read once. ``flatten`` then stacks the indexes as overlay2
does, honouring whiteouts, and counts the bytes that later layers deleted or overwrote.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from slimlab import config

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
GZIP_LEVEL = 6  # Go's gzip.DefaultCompression, which docker push uses


@dataclass(frozen=True)
class Entry:
    """One file-system entry of a layer: path (no leading /), size, mode, tar type."""

    path: str
    size: int
    mode: int
    kind: str  # "f" file, "d" dir, "l" symlink, "h" hard link, "o" other
    # size: bytes for a file, the target's length for a symlink, 0 otherwise

    @property
    def is_file(self) -> bool:
        return self.kind in ("f", "h")


@dataclass
class LayerIndex:
    digest: str  # sha256:<hex> of the uncompressed tar, the diff ID
    tar_bytes: int
    gzip_bytes: int
    entries: list[Entry] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"digest": self.digest, "tar_bytes": self.tar_bytes,
                "gzip_bytes": self.gzip_bytes,
                "entries": [[e.path, e.size, e.mode, e.kind] for e in self.entries]}

    @classmethod
    def from_json(cls, data: dict) -> LayerIndex:
        return cls(data["digest"], data["tar_bytes"], data["gzip_bytes"],
                   [Entry(*row) for row in data["entries"]])


_KINDS = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d",
          tarfile.SYMTYPE: "l", tarfile.LNKTYPE: "h"}


class _Tee(io.RawIOBase):
    """Reads from a stream while hashing and gzip-compressing what passes through."""

    def __init__(self, source) -> None:
        self.source = source
        self.sha = hashlib.sha256()
        self.gzip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        self.raw_bytes = 0
        self.gzip_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        if not data:
            return 0
        self.sha.update(data)
        self.gzip_bytes += len(self.gzip.compress(data))
        self.raw_bytes += len(data)
        buffer[: len(data)] = data
        return len(data)

    def finish(self) -> None:
        while self.read(1 << 20):
            pass
        self.gzip_bytes += len(self.gzip.flush())


def index_layer(stream) -> LayerIndex:
    """Index one uncompressed layer tar read from ``stream`` (consumed to its end)."""
    tee = _Tee(stream)
    entries: list[Entry] = []
    reader = io.BufferedReader(tee, buffer_size=1 << 20)
    with tarfile.open(fileobj=reader, mode="r|") as tar:
        for member in tar:
            # "./a" -> "a", but ".wh.a" (a whiteout at the root) keeps its leading dot
            path = posixpath.normpath("/" + member.name).lstrip("/")
            if not path:
                continue
            # A symlink counts its target's length, as the engine's layer sizes do.
            size = member.size if member.isfile() else len(member.linkname) if member.issym() else 0
            entries.append(Entry(path, size, member.mode, _KINDS.get(member.type, "o")))
    # tarfile stops at the end-of-archive marker; the rest is padding, but it is hashed too.
    while reader.read(1 << 20):
        pass
    tee.finish()
    return LayerIndex("sha256:" + tee.sha.hexdigest(), tee.raw_bytes, tee.gzip_bytes, entries)


class _ChunkReader(io.RawIOBase):
    """A file object over the SDK's iterator of byte chunks."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = iter(chunks)
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def index_saved_image(chunks: Iterable[bytes], wanted: set[str]) -> dict[str, LayerIndex]:
    """Index the layers of a ``docker save`` stream whose digests are in ``wanted``."""
    found: dict[str, LayerIndex] = {}
    outer_stream = io.BufferedReader(_ChunkReader(chunks), buffer_size=1 << 20)
    with tarfile.open(fileobj=outer_stream, mode="r|") as outer:
        for member in outer:
            if not member.name.endswith("layer.tar") or not member.isfile():
                continue
            fh = outer.extractfile(member)
            layer = index_layer(fh)
            if layer.digest in wanted:
                found[layer.digest] = layer
    return found


def _cache_dir() -> Path:
    return config.home() / "layers"


def _cache_path(digest: str) -> Path:
    return _cache_dir() / (digest.replace(":", "-") + ".json")


def cached(digest: str) -> LayerIndex | None:
    path = _cache_path(digest)
    if not path.exists():
        return None
    try:
        return LayerIndex.from_json(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)  # damaged cache entry: read the layer again
        return None


def store(layer: LayerIndex) -> None:
    path = _cache_path(layer.digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(layer.to_json()))
    tmp.replace(path)


@dataclass
class Flattened:
    """The file system a container of the image sees, and what the layers wasted."""

    files: dict[str, tuple[Entry, int]]  # path -> (entry, index of the layer it came from)
    wasted_bytes: int
    # (path, bytes, index of the layer it was in, "deleted" or "overwritten")
    wasted: list[tuple[str, int, int, str]]

    def paths(self) -> Iterator[str]:
        return iter(self.files)


def _under(path: str, directory: str) -> bool:
    return directory == "" or path.startswith(directory + "/")


def flatten(layers: list[LayerIndex]) -> Flattened:
    """Stack layer indexes as overlay2 does: later layers win; whiteouts delete."""
    files: dict[str, tuple[Entry, int]] = {}
    wasted: list[tuple[str, int, int, str]] = []

    def remove(path: str, why: str, subtree: bool) -> None:
        doomed = [p for p in files if p == path or (subtree and _under(p, path))]
        for p in doomed:
            entry, where = files.pop(p)
            if entry.kind == "f" and entry.size:
                wasted.append((p, entry.size, where, why))

    for index, layer in enumerate(layers):
        for entry in layer.entries:
            directory, name = posixpath.split(entry.path)
            if name == OPAQUE:
                for p in [p for p in files if _under(p, directory) and p != directory]:
                    remove(p, "deleted", False)
            elif name.startswith(WHITEOUT):
                remove(posixpath.join(directory, name[len(WHITEOUT):]), "deleted", True)
        for entry in layer.entries:
            name = posixpath.basename(entry.path)
            if name.startswith(WHITEOUT):
                continue
            old = files.get(entry.path)
            if old is not None and old[0].kind == "f" and old[0].size and entry.kind != "d":
                wasted.append((entry.path, old[0].size, old[1], "overwritten"))
            if old is not None and old[0].kind == "d" and entry.kind != "d":
                remove(entry.path, "overwritten", True)
            files[entry.path] = (entry, index)
    return Flattened(files, sum(w[1] for w in wasted), wasted)

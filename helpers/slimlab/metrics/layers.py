"""Read an image's layers from a ``docker save`` stream, whatever engine and store wrote it.

``docker save`` writes one of three layouts, and all of them are read:

- legacy (Engine ≤ 24): ``manifest.json``, configs as ``<hex>.json``, each layer an
  uncompressed tar at ``<id>/layer.tar``;
- OCI, overlay2 store (Engine 25+): ``index.json``, ``manifest.json`` and uncompressed
  layer blobs at ``blobs/sha256/<diff ID>``;
- OCI, containerd store: every blob FIRST (layers gzip- or zstd-compressed and named by
  their compressed digest, plus an image index, attestations…), ``manifest.json`` last.

The stream is read once and never held (an image can be 1 GB), and the manifest may come
after the layers, so each member is recognised by its first bytes, not its name: gzip or
zstd is decompressed on the fly, a tar is indexed, small JSON is kept to find the config
at the end. One pass over a layer gives its diff ID (the sha256 of the UNCOMPRESSED tar,
which the config's ``rootfs.diff_ids`` and ``docker image inspect``'s ``RootFS.Layers``
list on every store), its sizes and its file index. Layers are cached by diff ID under
SLIMLAB_HOME, so a base shared by ten variants is read once; an image's history and layer
order are cached by image id, so measuring it again needs no ``docker save``.
``flatten`` then stacks the indexes as overlay2 does, honouring whiteouts, and counts the
bytes that later layers deleted or overwrote.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import posixpath
import re
import tarfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from slimlab import config

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
GZIP_LEVEL = 6  # Go's gzip.DefaultCompression, which docker push uses
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
JSON_LIMIT = 4 << 20  # configs and manifests are small; a bigger non-tar member is skipped
BLOB = re.compile(r"^blobs/sha256/([0-9a-f]{64})$")


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
    """One layer, known by its diff ID, with its sizes and its files.

    ``tar_bytes`` and ``gzip_bytes`` depend only on the layer's content, so they are the
    same on every engine and store; ``blob_bytes`` and ``compression`` say how the save it
    was last read from stored it (the containerd store keeps layers compressed)."""

    digest: str  # sha256:<hex> of the uncompressed tar, the diff ID
    tar_bytes: int  # the uncompressed tar
    gzip_bytes: int  # our gzip level 6 of the tar: what a push from the overlay2 store sends
    entries: list[Entry] = field(default_factory=list)
    blob_bytes: int | None = None  # bytes as stored in the save; None: the tar's
    compression: str = "none"  # of the blob in the save: "gzip", "zstd" or "none"

    def __post_init__(self) -> None:
        if self.blob_bytes is None:
            self.blob_bytes = self.tar_bytes

    @property
    def content_bytes(self) -> int:
        """Bytes of the files (a symlink: its target's length): the layer's size on disk
        with no tar headers, no compression and no file-system blocks, so every store
        gives the same number."""
        return sum(e.size for e in self.entries)

    def to_json(self) -> dict:
        return {"digest": self.digest, "tar_bytes": self.tar_bytes,
                "gzip_bytes": self.gzip_bytes, "blob_bytes": self.blob_bytes,
                "compression": self.compression,
                "entries": [[e.path, e.size, e.mode, e.kind] for e in self.entries]}

    @classmethod
    def from_json(cls, data: dict) -> LayerIndex:
        # Entries cached before blob_bytes existed came from legacy saves: uncompressed.
        return cls(data["digest"], data["tar_bytes"], data["gzip_bytes"],
                   [Entry(*row) for row in data["entries"]],
                   data.get("blob_bytes"), data.get("compression", "none"))


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
    """A file object over an iterator of byte chunks (``engine.save_image``)."""

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


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read (to sniff them), put back in front."""

    def __init__(self, head: bytes, rest) -> None:
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_upto(stream, n: int) -> bytes:
    parts: list[bytes] = []
    while n > 0:
        data = stream.read(n)
        if not data:
            break
        parts.append(data)
        n -= len(data)
    return b"".join(parts)


def _tar_header(block: bytes) -> bool:
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def sniff(head: bytes) -> str:
    """What a member of a save holds, from its first 512 bytes: "gzip", "zstd", "tar"
    (``ustar`` at offset 257, a valid header, or an empty tar's zero block) or "other"."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    if len(head) >= 512 and (head[257:262] == b"ustar" or head[:512] == bytes(512)
                             or _tar_header(head[:512])):
        return "tar"
    return "other"


def _decompressed(stream, compression: str):
    """The uncompressed tar inside a blob, as a stream (nothing held in memory)."""
    if compression == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # several gzip members are fine too
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
    return stream


def _blob_errors() -> tuple[type[BaseException], ...]:
    """Errors meaning "this compressed member is not a layer tar": skip it, go on."""
    errors: tuple[type[BaseException], ...] = (tarfile.TarError, zlib.error, EOFError,
                                               gzip.BadGzipFile)
    try:
        import zstandard
    except ImportError:
        return errors
    return (*errors, zstandard.ZstdError)


def _norm(name: str) -> str:
    return posixpath.normpath("/" + name).lstrip("/")


@dataclass
class SavedImage:
    """What one pass over a ``docker save`` stream found."""

    layers: dict[str, LayerIndex]  # diff ID -> index, for every layer blob read
    config: dict | None  # the image's config: rootfs, history, config (User…); None: unknown
    manifest_layers: list[str] = field(default_factory=list)  # diff IDs, manifest's order
    unreadable: list[str] = field(default_factory=list)  # compressed members that held no tar
    aliases: dict[str, str] = field(default_factory=dict)  # compressed blob hex -> diff ID

    @property
    def diff_ids(self) -> list[str]:
        """The layers bottom to top, as the config lists them (the manifest's order if not)."""
        rootfs = (self.config or {}).get("rootfs") or {}
        return list(rootfs.get("diff_ids") or self.manifest_layers)


def _is_attestation(descriptor: dict) -> bool:
    annotations = descriptor.get("annotations") or {}
    platform = descriptor.get("platform") or {}
    return (annotations.get("vnd.docker.reference.type") == "attestation-manifest"
            or platform.get("os") == "unknown")


def _hex(digest: str) -> str:
    return digest.rpartition(":")[2]


def _config_paths(image_id: str, docs: dict[str, object]) -> set[str]:
    """Where the config of ``image_id`` may sit: the image id is the config's digest
    (overlay2 store) or an image index's (containerd store), walked down to the config."""
    paths = {f"{_hex(image_id)}.json"}
    todo, seen = [_hex(image_id)], set()
    while todo:
        hexd = todo.pop()
        if hexd in seen:
            continue
        seen.add(hexd)
        paths.add(f"blobs/sha256/{hexd}")
        doc = docs.get(f"blobs/sha256/{hexd}")
        if not isinstance(doc, dict):
            continue
        todo += [_hex(m.get("digest", "")) for m in doc.get("manifests") or []
                 if isinstance(m, dict) and not _is_attestation(m)]
        config_ref = doc.get("config")
        if isinstance(config_ref, dict) and "digest" in config_ref:  # a manifest
            todo.append(_hex(config_ref["digest"]))
    return paths


def _entries_from_index(docs: dict[str, object]) -> list[dict]:
    """manifest.json-style entries from ``index.json`` (an OCI archive without the former)."""
    entries, todo, seen = [], [], set()
    index = docs.get("index.json")
    if isinstance(index, dict):
        todo = [m for m in index.get("manifests") or [] if isinstance(m, dict)]
    while todo:
        descriptor = todo.pop(0)
        path = "blobs/sha256/" + _hex(descriptor.get("digest", ""))
        doc = docs.get(path)
        if path in seen or _is_attestation(descriptor) or not isinstance(doc, dict):
            continue
        seen.add(path)
        todo += [m for m in doc.get("manifests") or [] if isinstance(m, dict)]
        if isinstance(doc.get("config"), dict) and isinstance(doc.get("layers"), list):
            entries.append({"Config": "blobs/sha256/" + _hex(doc["config"].get("digest", "")),
                            "Layers": ["blobs/sha256/" + _hex(lay.get("digest", ""))
                                       for lay in doc["layers"] if isinstance(lay, dict)]})
    return entries


def read_saved_image(chunks: Iterable[bytes], image_id: str = "",
                     known: Collection[str] = (),
                     alias: Callable[[str], str | None] = lambda blob_hex: None) -> SavedImage:
    """Index every layer of a ``docker save`` stream (any layout) and find the image's
    config: manifest.json's ``Config`` of the image ``image_id`` names, or of its only image.

    ``known`` diff IDs are not indexed again where the save names a blob by its diff ID
    (OCI layout, overlay2 store) or by a compressed digest that ``alias`` maps to one (the
    containerd store, learned from an earlier read: ``SavedImage.aliases``). Elsewhere only
    reading a layer tells which it is, so every layer is read and returned."""
    layers: dict[str, LayerIndex] = {}
    docs: dict[str, object] = {}  # small JSON members, by path
    blob_diff: dict[str, str] = {}  # member path -> diff ID of the layer it holds
    links: dict[str, str] = {}  # legacy saves link a repeated layer.tar to the first
    unreadable: list[str] = []
    aliases: dict[str, str] = {}
    errors = _blob_errors()
    outer_stream = io.BufferedReader(_ChunkReader(chunks), buffer_size=1 << 20)
    with tarfile.open(fileobj=outer_stream, mode="r|") as outer:
        for member in outer:
            name = _norm(member.name)
            if member.issym() or member.islnk():
                base = posixpath.dirname(name) if member.issym() else ""
                links[name] = _norm(posixpath.join(base, member.linkname))
                continue
            if not member.isfile():
                continue
            fh = outer.extractfile(member)
            assert fh is not None  # a regular file always has a body
            head = _read_upto(fh, 512)
            kind = sniff(head)
            if kind == "other":
                if member.size < JSON_LIMIT:
                    with contextlib.suppress(ValueError):  # VERSION files and the like
                        docs[name] = json.loads(head + fh.read())
                continue
            named = BLOB.match(name)
            if kind == "tar" and named and "sha256:" + named.group(1) in known:
                blob_diff[name] = "sha256:" + named.group(1)  # skipped: the tar is its name
                continue
            if named and kind != "tar" and alias(named.group(1)) in known:
                blob_diff[name] = alias(named.group(1)) or ""  # skipped: read before
                continue
            try:
                layer = index_layer(_decompressed(_Prefixed(head, fh), kind))
            except errors:
                if kind == "tar":
                    raise
                unreadable.append(name)
                continue
            if kind != "tar":
                layer.compression = kind
                if named:
                    aliases[named.group(1)] = layer.digest
            layer.blob_bytes = member.size
            layers[layer.digest] = layer
            blob_diff[name] = layer.digest

    def resolve(path: str) -> str:
        path = _norm(path)
        for _ in range(16):
            if path not in links:
                break
            path = links[path]
        return path

    manifest = docs.get("manifest.json")
    entries = [e for e in manifest if isinstance(e, dict) and e.get("Config")] \
        if isinstance(manifest, list) else []
    entries = entries or _entries_from_index(docs)
    entry = entries[0] if len(entries) == 1 else None
    if entry is None and image_id:
        wanted = _config_paths(image_id, docs)
        entry = next((e for e in entries if resolve(e["Config"]) in wanted), None)
    if entry is None:
        return SavedImage(layers, None, [], unreadable, aliases)
    image_config = docs.get(resolve(entry["Config"]))
    order = [blob_diff.get(resolve(p), "") for p in entry.get("Layers") or []]
    return SavedImage(layers, image_config if isinstance(image_config, dict) else None,
                      [d for d in order if d], unreadable, aliases)


def index_saved_image(chunks: Iterable[bytes], wanted: set[str]) -> dict[str, LayerIndex]:
    """Index the layers of a ``docker save`` stream whose digests are in ``wanted``."""
    saved = read_saved_image(chunks)
    return {d: layer for d, layer in saved.layers.items() if d in wanted}


# ----------------------------------------------------------------------------- history
@dataclass(frozen=True)
class HistoryRow:
    """One row of the config's ``history``: an instruction, and whether it made a layer."""

    created_by: str
    empty_layer: bool = False
    comment: str = ""
    created: str = ""


@dataclass
class ImageHistory:
    """An image's build history and layer order, as its config records them: enough to
    name each layer's instruction without another ``docker save``."""

    image_id: str
    diff_ids: list[str]  # bottom to top
    rows: list[HistoryRow]  # oldest first

    @classmethod
    def from_config(cls, image_id: str, image_config: dict) -> ImageHistory:
        rows = [HistoryRow(str(h.get("created_by") or ""), bool(h.get("empty_layer")),
                           str(h.get("comment") or ""), str(h.get("created") or ""))
                for h in image_config.get("history") or [] if isinstance(h, dict)]
        diff_ids = list((image_config.get("rootfs") or {}).get("diff_ids") or [])
        return cls(image_id, diff_ids, rows)

    def layer_of_rows(self) -> list[int | None]:
        """For each history row, the index of the layer it made: the k-th row without
        ``empty_layer`` made the k-th layer. None: it made none (or the layers ran out)."""
        made: list[int | None] = []
        k = 0
        for row in self.rows:
            if not row.empty_layer and k < len(self.diff_ids):
                made.append(k)
                k += 1
            else:
                made.append(None)
        return made

    def to_json(self) -> dict:
        return {"image_id": self.image_id, "diff_ids": self.diff_ids,
                "history": [{"created_by": r.created_by, "empty_layer": r.empty_layer,
                             "comment": r.comment, "created": r.created} for r in self.rows]}

    @classmethod
    def from_json(cls, data: dict) -> ImageHistory:
        return cls(data["image_id"], list(data["diff_ids"]),
                   [HistoryRow(h["created_by"], bool(h.get("empty_layer")),
                               h.get("comment", ""), h.get("created", ""))
                    for h in data["history"]])


# ----------------------------------------------------------------------------- cache
def _cache_dir() -> Path:
    return config.home() / "layers"


def _cache_path(digest: str) -> Path:
    return _cache_dir() / (digest.replace(":", "-") + ".json")


def _history_path(image_id: str) -> Path:
    return config.home() / "image-history" / (image_id.replace(":", "-") + ".json")


def _read_json(path: Path, parse):
    if not path.exists():
        return None
    try:
        return parse(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)  # damaged cache entry: read the image again
        return None


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def cached(digest: str) -> LayerIndex | None:
    """The cached index of a layer, by diff ID; None when not cached (or damaged)."""
    return _read_json(_cache_path(digest), LayerIndex.from_json)


def store(layer: LayerIndex) -> None:
    _write_json(_cache_path(layer.digest), layer.to_json())


def _alias_path(blob_hex: str) -> Path:
    return _cache_dir() / "blobs" / blob_hex


def cached_alias(blob_hex: str) -> str | None:
    """The diff ID of a compressed blob read before (the containerd store names layers by
    their compressed digest), so a later save can skip it unread."""
    path = _alias_path(blob_hex)
    text = path.read_text().strip() if path.exists() else ""
    return text if text.startswith("sha256:") else None


def store_aliases(aliases: dict[str, str]) -> None:
    for blob_hex, diff_id in aliases.items():
        path = _alias_path(blob_hex)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(diff_id)


def cached_history(image_id: str) -> ImageHistory | None:
    """The cached history of an image, by image id; None when not cached (or damaged)."""
    return _read_json(_history_path(image_id), ImageHistory.from_json)


def store_history(history: ImageHistory) -> None:
    _write_json(_history_path(history.image_id), history.to_json())


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

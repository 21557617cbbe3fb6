"""What an image costs, by one definition each, the same on every engine and image store.

Every figure is computed from the layers themselves (one ``docker save`` pass, then the
cache), never taken from the engine's own size fields, which differ by engine and store:

- **size**: the bytes of the files in the image's layers, uncompressed: each layer's
  ``content_bytes`` (regular files' sizes, a symlink its target's length; no tar headers,
  no compression, no file-system blocks), summed over the layers: a property of the
  layers, so every engine and store gives the same number (checked on Engine 20.10 and on
  Engine 26's overlay2 and containerd stores). Docker's own figures are not:
  ``docker images`` on the containerd store counts the compressed layer blobs it keeps
  PLUS the unpacked snapshot, so it shows far more; ``docker history`` on the containerd
  store rounds every file up to whole 4 KiB blocks (a 3,000,000-byte file shows
  3,006,464 bytes, a layer with one 3-byte file 8.19 kB), so its sizes differ by store.
- **pull size**: each unique layer's tar gzip-compressed at level 6, as ``docker push``
  from the overlay2 store sends it (``gzip_bytes``): an estimate of what a registry
  receives from a gzip push, and so of what a first pull transfers. ``blob_bytes`` is what
  the local store holds (compressed on the containerd store, raw on overlay2), not a
  network figure.
- **layers**: one per entry of ``RootFS.Layers`` (even a 0-byte one), sized by its
  content bytes and named by the config's history row that made it: rows marked
  ``empty_layer`` make none, the k-th other row made the k-th layer.
- **wasted bytes**: bytes of files that a later layer deleted or overwrote: shipped in
  every pull, invisible in every container.
"""

from __future__ import annotations

import fnmatch
import re
import time
from dataclasses import dataclass
from functools import cached_property

from slimlab import engine
from slimlab.errors import SlimlabError
from slimlab.metrics.layers import (
    Flattened,
    HistoryRow,
    ImageHistory,
    LayerIndex,
    cached,
    cached_alias,
    cached_history,
    flatten,
    read_saved_image,
    store,
    store_aliases,
    store_history,
)

# A shell as RUN uses it: /bin/sh -c, or a SHELL such as /bin/bash -o pipefail -c.
SHELL = re.compile(r"(?:^|(?<=\s))/(?:usr/)?bin/\w*sh(?: -\w+(?: [a-z]+)?)*? -c (?=\S)")
ARGS = re.compile(r"^\|(\d+)\s")  # "|2 A=1 B=2 " before a RUN command: its build args
BUILDKIT = re.compile(r"\s+# buildkit$")  # BuildKit's mark at the end of its rows
NOP = "#(nop)"  # the legacy builder's mark of a metadata-only row


def _run(body: str) -> str:
    """``RUN`` for a RUN's recorded command line: build args (``|2 A=1 B=2``) and the
    shell dropped, flags such as ``--mount=type=cache,…`` kept (they matter to learners)."""
    shell = SHELL.search(body)
    if shell:
        prefix, command = body[: shell.start()], body[shell.end():]
    else:  # exec form: RUN ["mvn", "package"] is recorded as "mvn package"
        prefix, command = "", body
        args = ARGS.match(body)
        if args:
            words = body.split()
            n = int(args.group(1))
            flags = [w for w in words[1:] if w.startswith("--")]
            rest = [w for w in words[1:] if not w.startswith("--")]
            return " ".join(["RUN", *flags, *rest[n:]])
    flags = [w for w in prefix.split() if w.startswith("--")]
    return " ".join(["RUN", *flags, command])


def clean_instruction(created_by: str) -> str:
    """The Dockerfile instruction behind a history row, as a learner wrote it.

    Legacy builder: ``/bin/sh -c #(nop)  COPY …`` -> ``COPY …``; ``/bin/sh -c cmd`` and
    ``|1 ARG=v /bin/sh -c cmd`` -> ``RUN cmd``. BuildKit: ``RUN |2 A=1 B=2 /bin/sh -c cmd
    # buildkit`` -> ``RUN cmd``, ``RUN --mount=… /bin/sh -c cmd # buildkit`` -> ``RUN
    --mount=… cmd``, ``COPY a /a # buildkit`` -> ``COPY a /a``; ``WORKDIR``, ``ARG``,
    ``LABEL``, ``ENTRYPOINT``… stay as they are."""
    text = BUILDKIT.sub("", created_by.strip())
    shell = SHELL.match(text)
    if shell and text[shell.end():].startswith(NOP):
        text = text[shell.end() + len(NOP):]  # legacy metadata: ENV, COPY, CMD…
    elif text.startswith("RUN "):
        text = _run(text[len("RUN "):])
    elif shell or (ARGS.match(text) and SHELL.search(text)):
        text = _run(text)  # legacy RUN
    return " ".join(text.split())


@dataclass
class LayerRow:
    instruction: str
    size_bytes: int
    share: float  # of the image's size


@dataclass(frozen=True)
class _Made:
    """A history row (None: a layer the history does not mention) and its layer, if any."""

    instruction: str
    layer: int | None
    row: HistoryRow | None


class ImageReport:
    """Everything measured about one image; expensive parts are computed once, lazily.

    Only ``engine.inspect_image`` (id, layer diff IDs, user) and ``engine.save_image``
    (everything else, once, then the cache) are used, so every figure comes from the
    layers' content and means the same on every engine and store."""

    def __init__(self, ref: str, attrs: dict | None = None) -> None:
        self.ref = ref
        self.attrs = attrs if attrs is not None else engine.inspect_image(ref)

    @property
    def id(self) -> str:
        return self.attrs["Id"]

    @property
    def layer_digests(self) -> list[str]:
        """The diff IDs of the layers, bottom to top (``RootFS.Layers``; every store)."""
        return list((self.attrs.get("RootFS") or {}).get("Layers") or [])

    @property
    def layer_count(self) -> int:
        return len(self.layer_digests)

    @property
    def content_id(self) -> str:
        """A short fingerprint of the layers' content (their diff IDs, in order): the same
        on every store and for a fully cached rebuild, new when any layer changes. Ties a
        figure measured once (the registry's count of a push) to the image it was of."""
        import hashlib

        return hashlib.sha256("\n".join(self.layer_digests).encode()).hexdigest()[:16]

    @cached_property
    def _measured(self) -> tuple[ImageHistory, dict[str, LayerIndex]]:
        """The history and every layer's index: from the cache, else one ``docker save``."""
        digests = self.layer_digests
        history = cached_history(self.id)
        if history is not None and history.diff_ids != digests:
            history = None  # not this image's (a damaged or foreign entry): read it again
        have = {d: cached(d) for d in dict.fromkeys(digests)}
        if history is not None and all(layer is not None for layer in have.values()):
            return history, {d: layer for d, layer in have.items() if layer is not None}
        from slimlab.progress import progress

        todo = sum(1 for layer in have.values() if layer is None)
        display = progress(f"read {self.ref}")
        display.note(f"docker save: reading {todo} new layer(s) of {len(have)} "
                     "(hash, file list, gzip size); big layers take a while the first time")
        started = time.monotonic()
        try:
            saved = read_saved_image(engine.save_image(self.id), self.id,
                                     known={d for d, layer in have.items() if layer},
                                     alias=cached_alias)
        except BaseException:
            display.close("interrupted")
            raise
        known = len(have) - len(saved.layers)
        display.close(f"{self.ref}: {len(saved.layers)} new layer(s) read"
                      + (f", {known} already known" if known > 0 else "")
                      + f", in {time.monotonic() - started:.1f} s")
        store_aliases(saved.aliases)
        for digest, layer in saved.layers.items():
            store(layer)
            if digest in have:
                have[digest] = layer
        if saved.config is None:
            raise SlimlabError(f"docker save {self.ref} held no config for image {self.id[:19]}.",
                               hint="The image may have changed meanwhile; measure it again.")
        history = ImageHistory.from_config(self.id, saved.config)
        history.diff_ids = history.diff_ids or saved.diff_ids
        missing = [d for d, layer in have.items() if layer is None]
        if missing or history.diff_ids != digests:
            raise SlimlabError(
                f"docker save {self.ref} did not match its inspect: "
                f"{len(missing)} of {len(have)} layers missing, layer order "
                f"{'same' if history.diff_ids == digests else 'different'}.",
                hint="The image may have been rebuilt or removed meanwhile; measure it again.",
                log="\n".join([*missing, *(f"unreadable: {n}" for n in saved.unreadable)]))
        store_history(history)
        return history, {d: layer for d, layer in have.items() if layer is not None}

    @property
    def image_history(self) -> ImageHistory:
        """The config's history rows and layer order (cached by image id)."""
        return self._measured[0]

    @cached_property
    def layers(self) -> list[LayerIndex]:
        """Each layer's index, bottom to top, from the cache or one ``docker save`` pass."""
        by_digest = self._measured[1]
        return [by_digest[d] for d in self.layer_digests]

    @cached_property
    def _made(self) -> list[_Made]:
        """Every history row with the layer it made, then any layer no row claims."""
        history = self.image_history
        made = history.layer_of_rows()
        rows = [_Made(clean_instruction(row.created_by) or
                      (f"layer {k + 1}" if k is not None else ""), k, row)
                for row, k in zip(history.rows, made, strict=True)]
        claimed = {k for k in made if k is not None}
        rows += [_Made(f"layer {k + 1}", k, None)
                 for k in range(len(self.layers)) if k not in claimed]
        return rows

    def _ancestors(self) -> dict[int, str]:
        """History row index -> id of an image measured here whose history and layers
        are a prefix of this one's: a base, marked as ``docker history`` would."""
        mine = self.image_history
        found: dict[int, str] = {}
        for other in list(_reports.values()):
            if other.id == self.id:
                continue
            measured = other.__dict__.get("_measured")
            theirs = measured[0] if measured else cached_history(other.id)
            n = len(theirs.rows) if theirs else 0
            if (theirs and 0 < n < len(mine.rows) and theirs.rows == mine.rows[:n]
                    and theirs.diff_ids == mine.diff_ids[: len(theirs.diff_ids)]):
                found[n - 1] = other.id
        return found

    @property
    def history(self) -> list[dict]:
        """The history oldest first, in ``docker history``'s keys (``CreatedBy``, ``Size``,
        ``Id``, ``Comment``, ``Created``, ``Tags``) plus ``EmptyLayer``, but ``Size`` is
        the layer's content bytes: the same on every store. ``Id`` is this image's on the
        last row, a base's (if measured here) on its last row, else ``<missing>``."""
        ids = self._ancestors()
        rows = []
        for i, made in enumerate(self._made):
            row = made.row or HistoryRow("")
            size = self.layers[made.layer].content_bytes if made.layer is not None else 0
            rows.append({"Id": ids.get(i, "<missing>"), "Created": row.created,
                         "CreatedBy": row.created_by, "Size": size, "Comment": row.comment,
                         "Tags": None, "EmptyLayer": made.layer is None})
        if rows:
            rows[-1]["Id"] = self.id
            rows[-1]["Tags"] = list(self.attrs.get("RepoTags") or [])
        return rows

    @property
    def size_bytes(self) -> int:
        """Uncompressed file bytes of all layers (see the module docstring)."""
        return sum(layer.content_bytes for layer in self.layers)

    def layer_rows(self, include_empty: bool = False) -> list[LayerRow]:
        """One row per layer, bottom to top, even a 0-byte one (``len == layer_count``);
        ``include_empty`` adds the history rows that made no layer (ENV, CMD…), size 0."""
        total = self.size_bytes or 1
        rows = []
        for made in self._made:
            if made.layer is None and not include_empty:
                continue
            size = self.layers[made.layer].content_bytes if made.layer is not None else 0
            rows.append(LayerRow(made.instruction, size, size / total))
        return rows

    @property
    def pull_bytes(self) -> int:
        """Gzip level-6 bytes of each unique layer (see the module docstring)."""
        return sum(layer.gzip_bytes for layer in {lay.digest: lay for lay in self.layers}.values())

    @cached_property
    def fs(self) -> Flattened:
        return flatten(self.layers)

    @property
    def wasted_bytes(self) -> int:
        return self.fs.wasted_bytes

    def wasted(self, n: int = 10) -> list[dict]:
        rows = sorted(self.fs.wasted, key=lambda w: -w[1])[:n]
        return [{"path": "/" + p, "bytes": b, "layer": self._instruction_of(layer), "how": how}
                for p, b, layer, how in rows]

    def _instruction_of(self, layer_index: int) -> str:
        """The instruction that made a layer (the history row that made it)."""
        for made in self._made:
            if made.layer == layer_index:
                return made.instruction[:80]
        return f"layer {layer_index + 1}"

    def largest_files(self, n: int = 10) -> list[dict]:
        files = [(p, e.size) for p, (e, _) in self.fs.files.items() if e.kind == "f"]
        return [{"path": "/" + p, "bytes": s} for p, s in sorted(files, key=lambda f: -f[1])[:n]]

    def glob(self, pattern: str) -> list[str]:
        """Paths in the container's file system matching a glob (``/usr/bin/javac``)."""
        pattern = pattern.lstrip("/")
        return ["/" + p for p in self.fs.files if fnmatch.fnmatchcase(p, pattern)]

    def has(self, pattern: str) -> bool:
        return bool(self.glob(pattern))

    def bytes_under(self, directory: str) -> int:
        prefix = directory.strip("/") + "/"
        return sum(e.size for p, (e, _) in self.fs.files.items()
                   if e.kind == "f" and p.startswith(prefix))

    @property
    def user(self) -> str:
        return (self.attrs.get("Config") or {}).get("User") or "root"

    def summary(self) -> dict:
        return {"size_bytes": self.size_bytes, "pull_bytes": self.pull_bytes,
                "layers": self.layer_count, "wasted_bytes": self.wasted_bytes,
                "content_id": self.content_id}


_reports: dict[str, ImageReport] = {}


def inspect(ref: str) -> ImageReport:
    """The report for an image, reused while its id stays the same (a rebuild is new)."""
    attrs = engine.inspect_image(ref)
    report = _reports.get(attrs["Id"])
    if report is None:
        report = _reports[attrs["Id"]] = ImageReport(ref, attrs)
    return report

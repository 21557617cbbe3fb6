"""What an image costs, by one definition each, used everywhere in the workbook.

- **size**: the sum of the image's layer sizes, uncompressed (``docker history``), so it
  means the same on every storage backend (containerd's image store reports something
  else as ``Size``).
- **pull size**: every layer gzip-compressed as a registry stores it (level 6, as
  ``docker push`` does); the bytes a first pull transfers.
- **layers**: the layers that hold bytes, each with the instruction that made it.
- **wasted bytes**: bytes of files that a later layer deleted or overwrote: shipped in
  every pull, invisible in every container.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cached_property

from slimlab import engine
from slimlab.measure.layers import Flattened, LayerIndex, cached, flatten, index_saved_image, store

RUN_WITH_ARGS = re.compile(r"^\|\d+ .*? /bin/sh -c (.*)$", re.DOTALL)


def clean_instruction(created_by: str) -> str:
    """The Dockerfile instruction behind a history row: ``/bin/sh -c #(nop)  COPY …`` ->
    ``COPY …``; ``/bin/sh -c cmd`` and ``|1 ARG=v /bin/sh -c cmd`` -> ``RUN cmd``."""
    text = created_by.strip()
    with_args = RUN_WITH_ARGS.match(text)
    if with_args:
        text = "RUN " + with_args.group(1)
    elif text.startswith("/bin/sh -c #(nop) "):
        text = text[len("/bin/sh -c #(nop) "):]
    elif text.startswith("/bin/sh -c "):
        text = "RUN " + text[len("/bin/sh -c "):]
    return " ".join(text.split())


@dataclass
class LayerRow:
    instruction: str
    size_bytes: int
    share: float  # of the image's size


class ImageReport:
    """Everything measured about one image; expensive parts are computed once, lazily."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self.image = engine.client().images.get(ref)

    @property
    def id(self) -> str:
        return self.image.id

    @cached_property
    def history(self) -> list[dict]:
        return list(reversed(engine.client().api.history(self.image.id)))  # oldest first

    @property
    def size_bytes(self) -> int:
        return sum(max(0, h.get("Size", 0)) for h in self.history)

    @property
    def layer_digests(self) -> list[str]:
        return list(self.image.attrs.get("RootFS", {}).get("Layers", []))

    def layer_rows(self, include_empty: bool = False) -> list[LayerRow]:
        total = self.size_bytes or 1
        rows = [LayerRow(clean_instruction(h.get("CreatedBy", "")), h.get("Size", 0),
                         h.get("Size", 0) / total)
                for h in self.history if include_empty or h.get("Size", 0) > 0]
        return rows

    @property
    def layer_count(self) -> int:
        return len(self.layer_digests)

    @cached_property
    def layers(self) -> list[LayerIndex]:
        """Each layer's index, from the cache or one ``docker save`` pass."""
        digests = self.layer_digests
        have = {d: cached(d) for d in digests}
        missing = {d for d, layer in have.items() if layer is None}
        if missing:
            fresh = index_saved_image(self.image.save(named=False), missing)
            for digest, layer in fresh.items():
                store(layer)
                have[digest] = layer
        return [have[d] for d in digests]

    @property
    def pull_bytes(self) -> int:
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
        """The instruction that made a layer: the k-th layer holding file bytes is the
        k-th history row with a size (empty layers have neither)."""
        holding = [i for i, lay in enumerate(self.layers)
                   if any(e.size for e in lay.entries)]
        rows = [h for h in self.history if h.get("Size", 0) > 0]
        if layer_index in holding and len(holding) == len(rows):
            return clean_instruction(rows[holding.index(layer_index)].get("CreatedBy", ""))[:80]
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
        return self.image.attrs.get("Config", {}).get("User") or "root"

    def summary(self) -> dict:
        return {"size_bytes": self.size_bytes, "pull_bytes": self.pull_bytes,
                "layers": self.layer_count, "wasted_bytes": self.wasted_bytes}


_reports: dict[str, ImageReport] = {}


def inspect(ref: str) -> ImageReport:
    """The report for an image, reused while its id stays the same (a rebuild is new)."""
    image_id = engine.client().images.get(ref).id
    report = _reports.get(image_id)
    if report is None:
        report = _reports[image_id] = ImageReport(ref)
    return report

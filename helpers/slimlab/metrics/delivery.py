"""Delivery costs of a code change: the bytes a push sends, and build time cold and warm.

``push_bytes(before, after)`` sums the gzip sizes of the layers of ``after`` that
``before`` does not have: a registry already holding ``before`` receives exactly those.
``changed_copy`` makes a one-line change to a Java source in a copy of the app (never in
the repository), so a rebuild sees a real code change.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from slimlab import config
from slimlab.metrics.image import ImageReport

CHANGED_SOURCE = "src/main/java/dev/slimlab/bookshelf/BookshelfApplication.java"
SKIP = shutil.ignore_patterns("target", "build-proofs")


def new_layers(before: ImageReport, after: ImageReport) -> list[tuple[str, int]]:
    """(digest, gzip bytes) of each layer in ``after`` that ``before`` lacks."""
    have = set(before.layer_digests)
    return [(lay.digest, lay.gzip_bytes) for lay in after.layers if lay.digest not in have]


def push_bytes(before: ImageReport, after: ImageReport) -> int:
    return sum(size for _, size in new_layers(before, after))


def _insert_after(path: Path, anchor: str, line: str) -> None:
    """Insert ``line`` right after the first ``anchor`` in a copy's file."""
    text = path.read_text()
    if anchor not in text:
        raise ValueError(f"{path} no longer has {anchor!r}; update slimlab.metrics.delivery")
    path.write_text(text.replace(anchor, anchor + line, 1))


def one_line_change(source: Path, marker: str) -> None:
    """Add one constant to the application class: new bytecode, same behaviour."""
    _insert_after(source, "public class BookshelfApplication {",
                  f'\n    static final String CHANGE_MARKER = "{marker}";\n')


def pom_change(pom: Path, marker: str) -> None:
    """Add one property to the pom: the dependency step's input changes, the dependencies
    do not (as when a version of one library is bumped, minus the download)."""
    _insert_after(pom, "<properties>", f"\n        <slimlab.change>{marker}</slimlab.change>")


@contextmanager
def changed_copy(app_dir: Path | None = None, what: str = "source") -> Iterator[Path]:
    """A temporary copy of the app with a one-line change (``what``: "source", a Java
    class; "pom", a property in pom.xml); removed afterwards."""
    app_dir = Path(app_dir or config.workbook_root() / "sample-app")
    with tempfile.TemporaryDirectory(prefix="slimlab-change-") as tmp:
        copy = Path(tmp) / "app"
        shutil.copytree(app_dir, copy, ignore=SKIP, symlinks=True)
        marker = f"change at {time.time_ns()}"
        if what == "pom":
            pom_change(copy / "pom.xml", marker)
        else:
            one_line_change(copy / CHANGED_SOURCE, marker)
        yield copy

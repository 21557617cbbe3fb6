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
from slimlab.measure.image import ImageReport

CHANGED_SOURCE = "src/main/java/dev/slimlab/bookshelf/BookshelfApplication.java"
SKIP = shutil.ignore_patterns("target", "build-proofs")


def new_layers(before: ImageReport, after: ImageReport) -> list[tuple[str, int]]:
    """(digest, gzip bytes) of each layer in ``after`` that ``before`` lacks."""
    have = set(before.layer_digests)
    return [(lay.digest, lay.gzip_bytes) for lay in after.layers if lay.digest not in have]


def push_bytes(before: ImageReport, after: ImageReport) -> int:
    return sum(size for _, size in new_layers(before, after))


def one_line_change(source: Path, marker: str) -> None:
    """Add one constant to the application class: new bytecode, same behaviour."""
    text = source.read_text()
    anchor = "public class BookshelfApplication {"
    if anchor not in text:
        raise ValueError(f"{source} no longer has {anchor!r}; update CHANGED_SOURCE")
    line = f'\n    static final String CHANGE_MARKER = "{marker}";\n'
    source.write_text(text.replace(anchor, anchor + line, 1))


def pom_change(pom: Path, marker: str) -> None:
    """Add one property to the pom: the dependency step's input changes, the dependencies
    do not (as when a version of one library is bumped, minus the download)."""
    text = pom.read_text()
    anchor = "<properties>"
    if anchor not in text:
        raise ValueError(f"{pom} has no {anchor} to add a property to")
    line = f"\n        <slimlab.change>{marker}</slimlab.change>"
    pom.write_text(text.replace(anchor, anchor + line, 1))


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

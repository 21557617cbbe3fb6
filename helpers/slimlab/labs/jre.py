"""Lab 03 (03-jre-alpine): a JRE base instead of a JDK, then the smallest base that runs it.

The lab's tables are views of the scoreboard (``report.scoreboard``) over its four stages,
each naming the columns that tell one part of the story: startup, attack surface, size,
and how much each step saved. Every figure is this learner's latest measurement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from slimlab import report, workbook
from slimlab.checkpoints import load_measurements
from slimlab.report import WRITEUP_SIZE_COLUMN
from slimlab.views import tag_of

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

LAB = "03-jre-alpine"
STAGES = ("basic", "multi", "jre", "alpine")
STARTUP_COLUMNS = ["base images", "ready s", "ready range s", "Spring s", "memory MiB"]
SURFACE_COLUMNS = ["base images", "shell", "package manager", "compiler", "setuid files",
                   "user", "packages"]
SIZE_COLUMNS = ["base images", "size MB", "pull MB", "ready s", "memory MiB", "compiler",
                "shell", "user", WRITEUP_SIZE_COLUMN]
SHRINK_COLUMNS = ["size MB", "pull MB", WRITEUP_SIZE_COLUMN]
SHRINK_PREFIX = "% smaller than previous: "

Stages = Mapping[str, Mapping[str, Any]]


def plot_layer_rows(what: str = "multi") -> Figure:
    """Every layer of an image as a bar, bottom to top, so the JDK's share is plain to see."""
    rows = [vars(row) for row in workbook.image(what).layer_rows()]
    return report.plot_layers(rows, f"{tag_of(what)}, layer by layer")


def latest(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The latest recorded measurements of the named stages (all of them must exist)."""
    measured = load_measurements()
    return {name: measured[name] for name in names}


def start_each(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Time each stage's start (``sl.startup``), then return every stage's measurements."""
    workbook.startup(list(names))
    return latest(names)


def measure_each(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Measure each stage (size, pull size, attack surface), then return the measurements."""
    for name in names:
        workbook.measure(name)
    return latest(names)


def startup_table(stages: Stages) -> pandas.DataFrame:
    """Time to ready, its spread, Spring's own start and memory: the base changed, the
    JVM and jar did not, so these should barely move."""
    return report.scoreboard(stages)[STARTUP_COLUMNS]


def surface_table(stages: Stages) -> pandas.DataFrame:
    """What an attacker would find inside each stage: shell, package manager, compiler…"""
    return report.scoreboard(stages)[SURFACE_COLUMNS]


def size_table(stages: Stages) -> pandas.DataFrame:
    """Size, pull size, startup and surface side by side, with the write-up's size."""
    return report.scoreboard(stages)[SIZE_COLUMNS]


def shrink_table(stages: Stages) -> pandas.DataFrame:
    """How much smaller each stage is than the one before it, in %, ours and the write-up's."""
    sizes = report.scoreboard(stages)[SHRINK_COLUMNS]
    return (100 * (1 - sizes / sizes.shift())).round(0).add_prefix(SHRINK_PREFIX)

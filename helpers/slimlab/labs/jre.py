"""Lab 03 (03-jre-alpine): a JRE base instead of a JDK, then the smallest base that runs it.

Each figure a checkpoint compares is one call here (what the image holds, its size against
another's, the user it runs as, a ratio of startups), so a notebook cell holds one call and
no arithmetic. The lab's tables are views of the scoreboard (``report.scoreboard``) over its
four stages, each naming the columns that tell one part of the story: startup, attack
surface, size, and how much each step saved. Every figure is this learner's latest
measurement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slimlab import report, workbook
from slimlab.checkpoints import load_measurements
from slimlab.kit.bases import BY_ARG
from slimlab.report import WRITEUP_SIZE_COLUMN
from slimlab.views import Table, table

if TYPE_CHECKING:
    import pandas

    from slimlab.builder import BuildResult

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


# The JDK's developer tools a running service never needs (the symptom of stage 2).
DEVELOPER_TOOLS = ("javac", "jlink")
# The dynamic loader names which C library an image's programs link against.
C_LOADERS = {"musl loader (Alpine)": "lib/ld-musl-*", "glibc loader": "*/ld-linux-*.so*"}
ROOT_USERS = ("", "0", "root")


def ensure_each(names: Sequence[str]) -> list[str]:
    """Build each stage that is missing (``sl.ensure``), so the lab runs on a machine that
    skipped the earlier labs; returns their tags."""
    return [workbook.ensure(name) for name in names]


def jdk_tools(what: str, tools: Sequence[str] = DEVELOPER_TOOLS) -> list[str]:
    """Where the image holds the named JDK tools (``bin/javac``, ``bin/jlink``): read from
    its files, no container, so an empty list proves the tools are gone."""
    image = workbook.image(what)
    return [path for tool in tools for path in image.glob(f"*/bin/{tool}")]


def base_images(build: BuildResult) -> Table:
    """The base image each build argument resolved to in this build, beside the upstream
    default its ``ARG`` line names: a kit stand-in shows up as a different image."""
    rows = []
    for arg, image in build.bases.items():
        upstream = BY_ARG[arg].upstream if arg in BY_ARG else ""
        rows.append({"build argument": arg, "image used here": image,
                     "upstream default": upstream,
                     "source": "upstream" if image == upstream else "kit stand-in"})
    return table(rows, f"The base images {build.tag} was built on")


def size_mb(what: str) -> float:
    """The image's size in MB (10⁶ bytes): the figure a size prediction is compared with."""
    return workbook.image(what).size_bytes / 1e6


def percent_of(what: str, baseline: str) -> float:
    """The image's size in % of a baseline image's, both measured now (below 100: smaller)."""
    return 100 * workbook.image(what).size_bytes / workbook.image(baseline).size_bytes


def contents_ok(what: str) -> bool:
    """True when every must-have of the catalog is in the image and no must-not-have is:
    no sources, Maven, javac or jlink carried over from the build."""
    return all(row["ok"] for row in workbook.contents_check(what))


@dataclass(frozen=True)
class DeclaredBase:
    """A base image's build argument as a Dockerfile declares it. Its default is what the
    image is built from upstream, whatever stand-in the kit passes here, so the learner's
    choice is judged by the default: a runtime-only tag (``…jre…``, no ``jdk``)."""

    arg: str
    default: str  # "" when the argument is not declared, or has no default

    @property
    def runtime_only(self) -> bool:
        tag = self.default.rsplit("/", 1)[-1]
        return "jre" in tag and "jdk" not in tag

    def __str__(self) -> str:
        return f"ARG {self.arg}={self.default}" if self.default else f"no ARG {self.arg}=…"


def declared_base(what: str = "jre", arg: str = "JRE_IMAGE") -> DeclaredBase:
    """The default of ``ARG <arg>=…`` in the variant's Dockerfile (the learner's choice)."""
    text = workbook.resolve(what).buildable().read_text()
    found = re.search(rf"^\s*ARG\s+{re.escape(arg)}=(\S+)", text, re.MULTILINE)
    return DeclaredBase(arg, found.group(1) if found else "")


def c_library(what: str) -> dict[str, list[str]]:
    """The image's dynamic loaders, musl's and glibc's: which C library its JRE was built
    for (the kit's smallest base is glibc, upstream Alpine is musl)."""
    image = workbook.image(what)
    return {label: image.glob(pattern) for label, pattern in C_LOADERS.items()}


@dataclass(frozen=True)
class RunsAs:
    """The user an image's configuration names (``USER``), and whether it is not root."""

    tag: str
    user: str

    @property
    def non_root(self) -> bool:
        """Root by name, by uid 0, or by saying nothing (the engine's default) is root."""
        return self.user.split(":", 1)[0] not in ROOT_USERS

    @property
    def expected(self) -> str:
        """The checkpoint's expectation in words, with the user this image names."""
        return f"not root (the image's USER is {self.user!r})"


def runs_as(what: str) -> RunsAs:
    """Which user the image runs as, read from its configuration (no container)."""
    image = workbook.image(what)
    return RunsAs(image.ref, image.user)


def ready_ratio(stages: Stages, what: str, baseline: str) -> float:
    """One stage's median time to ready over another's, from the same ``start_each`` run,
    so a busy machine slowed both alike."""
    return stages[what]["ready_s"] / stages[baseline]["ready_s"]


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

"""Lab 01 (01-layers): the anatomy of an image. Layers, immutable layers, copy-on-write,
the build cache and its instruction order, cache mounts, and the build context.

Each demonstration is one call that builds or runs what it needs, measures it live and
returns a small result object: it renders as tables in JupyterLab (``_repr_html_``), as
plain text elsewhere, and keeps the numbers as attributes for checkpoints. Nothing here
is told instead of measured: every figure comes from the engine in this run.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slimlab import config, workbook
from slimlab.errors import ConfigError
from slimlab.metrics.image import ImageReport, inspect
from slimlab.variants import variant
from slimlab.views import (
    MB,
    Summary,
    Table,
    dataframe,
    dockerfile_of,
    filesystem_layers,
    points_html,
    short,
    stand_in_note,
    table_html,
    table_text,
    tag_of,
    to_mb,
)

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

    from slimlab.containers import Running

LAB = "01-layers"
CLEANUP_LATER = "labs/01-layers/Dockerfile.cleanup-later"
CLEANUP_SAME_RUN = "labs/01-layers/Dockerfile.cleanup-same-run"
CLEANUP_TAGS = ("bookshelf-demo:cleanup-later", "bookshelf-demo:cleanup-same-run")
DEPENDENCY_STEP = "go-offline"
CHANGE_LINE = "# one line changed in container A"
APT_LISTS = "var/lib/apt/lists/"
CURL = "usr/bin/curl"


# ---------------------------------------------------------------------------- layers


@dataclass
class StoreSizes:
    """What ``docker images`` says against what the workbook measures, and why they differ."""

    image: str
    store: str
    engine_bytes: int  # `docker images` SIZE: the engine's own accounting
    size_bytes: int  # the files in the layers, uncompressed (the workbook's size)
    pull_bytes: int  # the layers gzip-compressed (the workbook's pull size)

    def table(self) -> pandas.DataFrame:
        return dataframe([
            {"figure": "docker images SIZE", "MB": to_mb(self.engine_bytes),
             "what it counts": "compressed layers plus the unpacked snapshot"
             if self.store == "containerd" else "the unpacked layers on disk"},
            {"figure": "size (this workbook)", "MB": to_mb(self.size_bytes),
             "what it counts": "the files in the layers, uncompressed: the same on every store"},
            {"figure": "pull size (this workbook)", "MB": to_mb(self.pull_bytes),
             "what it counts": "the layers gzip-compressed, as a push sends them"},
        ])

    def points(self) -> list[str]:
        if self.store == "containerd":
            return [f"This engine keeps images in containerd's store: it holds each layer "
                    f"twice, compressed as pulled or built and unpacked for containers, and "
                    f"`docker images` adds both ({to_mb(self.engine_bytes):,.0f} MB). The files "
                    f"themselves are {to_mb(self.size_bytes):,.0f} MB."]
        return [f"This engine's store ({self.store}) keeps layers unpacked only: `docker "
                f"images` ({to_mb(self.engine_bytes):,.0f} MB) is close to the files' size "
                f"({to_mb(self.size_bytes):,.0f} MB). On the containerd image store (Docker "
                "Desktop, new installs) it would also count the compressed copy."]

    def _repr_html_(self) -> str:
        return (table_html(self.table(), f"Sizes of {self.image} on the {self.store} store")
                + points_html(self.points()))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), f"Sizes of {self.image}"),
                          *("- " + p for p in self.points())])


def store_sizes(what: str = "basic") -> StoreSizes:
    """``docker images`` beside the workbook's size and pull size for one image."""
    from slimlab import engine
    from slimlab.engine.doctor import image_store

    tag = tag_of(what)
    report = workbook.image(what)
    return StoreSizes(tag, image_store(engine.info()), engine.listed_size(tag),
                      report.size_bytes, report.pull_bytes)


def plot_layers(what: str = "basic", own_only: bool = False) -> Figure:
    """``report.plot_layers`` for an image, each bar saying whether the base image or
    this Dockerfile made it; the title says when the bases are kit stand-ins."""
    from slimlab import report

    rows = [{"instruction": ("base: " if r["from"] == "base image" else "")
             + short(r["instruction"], 56),
             "size_bytes": r["size_bytes"]} for r in filesystem_layers(what, own_only)]
    size = to_mb(workbook.image(what).size_bytes)
    return report.plot_layers(rows, f"Layers of {tag_of(what)}, {size:,.0f} MB in all"
                              f"{stand_in_note(dockerfile_of(what))}")


# ---------------------------------------------------------------------------- immutable layers


def lists_bytes(report: ImageReport) -> int:
    """Bytes of apt's package lists in every layer of an image, not just in its final view:
    a list a later layer deletes is still pulled, so it counts."""
    return sum(e.size for layer in report.layers for e in layer.entries
               if e.kind == "f" and e.path.startswith(APT_LISTS)
               and not posixpath.basename(e.path).startswith(".wh."))


@dataclass
class CleanupDemo:
    """Two small images that install the same package: one deletes apt's lists in a later
    RUN, the other is the learner's Dockerfile.cleanup-same-run. Sizes, pull sizes, wasted
    bytes and the lists left in any layer, measured."""

    later: ImageReport
    same: ImageReport
    note: str = ""

    @property
    def ratio(self) -> float:
        """Same-RUN size over later-RUN size (below 1: the same-RUN cleanup is smaller)."""
        return self.same.size_bytes / self.later.size_bytes

    @property
    def saved_bytes(self) -> int:
        return self.later.size_bytes - self.same.size_bytes

    @property
    def same_lists_bytes(self) -> int:
        """apt's lists in any layer of the learner's image: 0 when the cleanup worked."""
        return lists_bytes(self.same)

    @property
    def same_has_curl(self) -> bool:
        """The exercise keeps the install: an image without curl is small for no credit."""
        return self.same.has(CURL)

    def table(self) -> pandas.DataFrame:
        rows = []
        for label, path, report in (("cleanup in a later RUN", CLEANUP_LATER, self.later),
                                    ("your cleanup", CLEANUP_SAME_RUN, self.same)):
            rows.append({"image": report.ref, "Dockerfile": Path(path).name, "how": label,
                         "size MB": to_mb(report.size_bytes), "pull MB": to_mb(report.pull_bytes),
                         "wasted MB": to_mb(report.wasted_bytes),
                         "apt lists in layers MB": to_mb(lists_bytes(report)),
                         "layers": report.layer_count})
        return dataframe(rows)

    def own_layers(self) -> pandas.DataFrame:
        rows = []
        for report, path in ((self.later, CLEANUP_LATER), (self.same, CLEANUP_SAME_RUN)):
            for r in filesystem_layers(report.ref, own_only=True,
                                       dockerfile=config.workbook_root() / path):
                rows.append({"image": report.ref, "instruction": short(r["instruction"], 90),
                             "layer MB": to_mb(r["size_bytes"])})
        return dataframe(rows)

    def wasted(self, n: int = 5) -> pandas.DataFrame:
        rows = [{"path": short(w["path"], 70), "MB": to_mb(w["bytes"]), "how": w["how"],
                 "written by": short(w["layer"], 60)} for w in self.later.wasted(n)]
        return dataframe(rows)

    def _parts(self) -> list[tuple[pandas.DataFrame, str]]:
        return [(self.table(), f"Same package, two cleanups{self.note}"),
                (self.own_layers(), "The layers each Dockerfile adds"),
                (self.wasted(), f"The biggest wasted files in {self.later.ref}: deleted "
                 "in a later layer, still shipped")]

    def _repr_html_(self) -> str:
        return "".join(table_html(f, c) for f, c in self._parts())

    def __repr__(self) -> str:
        return "\n\n".join(table_text(f, c) for f, c in self._parts())


def immutable_layers() -> CleanupDemo:
    """Build Dockerfile.cleanup-later and the learner's Dockerfile.cleanup-same-run (small:
    an OS base and one package) and measure both."""
    for path, tag in zip((CLEANUP_LATER, CLEANUP_SAME_RUN), CLEANUP_TAGS, strict=True):
        workbook.build(config.workbook_root() / path, tag=tag, lab=LAB,
                       record=False)  # shows its steps: apt-get takes half a minute
    return CleanupDemo(inspect(CLEANUP_TAGS[0]), inspect(CLEANUP_TAGS[1]),
                       stand_in_note(CLEANUP_LATER))


def dive_compare(tag: str = CLEANUP_TAGS[0]) -> Table:
    """The same image through dive, the layer explorer used at work, beside our figures:
    the size, and the bytes that a later layer removes or replaces (dive's "inefficient
    bytes", our "wasted")."""
    from slimlab.engine.dive import analyse

    ours, theirs = inspect(tag), analyse(tag)
    rows = [{"figure": "size (files in the layers)", "Slimlab MB": round(ours.size_bytes / MB, 2),
             "dive MB": round(theirs.size_bytes / MB, 2)},
            {"figure": "Slimlab: wasted (removed or replaced later) · dive: inefficient "
                       "(files in more than one layer)",
             "Slimlab MB": round(ours.wasted_bytes / MB, 2),
             "dive MB": round(theirs.wasted_bytes / MB, 2)}]
    return Table(dataframe(rows), f"{tag} measured twice; dive's efficiency score: "
                 f"{100 * theirs.efficiency:.1f} %. At work: dive {tag}")


# ---------------------------------------------------------------------------- copy-on-write


@dataclass
class CopyOnWrite:
    """Two containers of one image: A appends one line to a file from a lower layer as it
    starts, then sleeps; B runs the app and never touches that file."""

    image: str
    path: str
    file_bytes: int
    line_bytes: int
    diff_a: list[dict]
    diff_b: list[dict]
    writable_a: int
    writable_b: int
    size_in_a: int
    size_in_b: int
    lower_a: list[str]
    lower_b: list[str]
    upper_a: str = ""
    upper_b: str = ""
    note: str = ""
    image_bytes: int = 0  # the image's measured size (files in its layers)

    @property
    def grew_bytes(self) -> int:
        """A's writable layer: all it holds is what the one-line change put there."""
        return self.writable_a

    @property
    def image_layers(self) -> list[str]:
        """A's lower dirs without its own ``-init`` layer: the image's read-only layers."""
        return [d for d in self.lower_a if d and not d.endswith("-init/diff")]

    @property
    def shared(self) -> bool | None:
        """True when B stacks exactly A's image layers; None when the store does not show
        its layer folders (the containerd store)."""
        mine = self.image_layers
        theirs = [d for d in self.lower_b if d and not d.endswith("-init/diff")]
        if not mine or not theirs:
            return None
        return mine == theirs

    def _own(self, diff: list[dict]) -> list[dict]:
        """``docker diff`` without the parent folders of the changed file, which it lists
        as changed (C) too: what the container itself wrote."""
        ancestors = {posixpath.dirname(self.path)}
        while (parent := posixpath.dirname(min(ancestors, key=len))) not in ancestors:
            ancestors.add(parent)
        return [d for d in diff if d["path"] not in ancestors]

    def containers(self) -> pandas.DataFrame:
        name = posixpath.basename(self.path)
        return dataframe([
            {"container": "A (appended one line)", "files written": len(self._own(self.diff_a)),
             "file in docker diff": "C" if any(d["path"] == self.path for d in self.diff_a)
             else "—",
             "writable layer MB": to_mb(self.writable_a), f"size of {name}": self.size_in_a,
             "own upper dir": short(self.upper_a.split("/")[-2] if self.upper_a else "—", 14)},
            {"container": "B (same image, runs the app)",
             "files written": len(self._own(self.diff_b)),
             "file in docker diff": "C" if any(d["path"] == self.path for d in self.diff_b)
             else "—",
             "writable layer MB": to_mb(self.writable_b), f"size of {name}": self.size_in_b,
             "own upper dir": short(self.upper_b.split("/")[-2] if self.upper_b else "—", 14)},
        ])

    def diff_table(self, n: int = 12) -> pandas.DataFrame:
        """``docker diff`` of both: C changed, A added, D deleted (the parent folders of the
        changed file are left out, as in the "files written" column)."""
        rows = [{"container": "A", "change": d["change"], "path": short(d["path"], 90)}
                for d in self._own(self.diff_a)]
        rows += [{"container": "B (the app)", "change": d["change"], "path": short(d["path"], 90)}
                 for d in self._own(self.diff_b)][: max(0, n - len(rows))]
        return dataframe(rows)

    def points(self) -> list[str]:
        shared = {True: f"yes: the same {len(self.image_layers)} read-only layer directories",
                  False: "no (unexpected: see the lower dirs)",
                  None: "the containerd store does not show its layer folders"}[self.shared]
        return [
            f"A appended {self.line_bytes} bytes to {self.path}, a "
            f"{self.file_bytes / MB:.1f} MB file from a lower layer.",
            f"A's writable layer holds {self.writable_a / MB:.2f} MB: the whole file was "
            "copied up before the line was written.",
            f"B still sees the original file ({self.size_in_b:,} bytes against A's "
            f"{self.size_in_a:,}); its writable layer holds {self.writable_b / MB:.2f} MB, "
            "what the running app wrote itself.",
            f"Both containers see the image's {self.image_bytes / MB:,.0f} MB of files plus "
            f"their own writable layer; the layers under them are shared ({shared}).",
        ]

    def _repr_html_(self) -> str:
        return (table_html(self.containers(), f"Copy-on-write in {self.image}{self.note}")
                + points_html(self.points())
                + table_html(self.diff_table(), "docker diff of A and B"))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.containers(), f"Copy-on-write in {self.image}"),
                          *("- " + p for p in self.points()),
                          table_text(self.diff_table(), "docker diff of A and B")])


def _cow_file(report: ImageReport) -> tuple[str, int]:
    """A sizeable file the app never opens: the largest jar in Maven's local repository
    when there is one (stage 1), else the largest file in the image."""
    jars = [(p, e.size) for p, (e, _) in report.fs.files.items()
            if e.kind == "f" and p.startswith("root/.m2/repository/") and p.endswith(".jar")]
    if jars:
        path, size = max(jars, key=lambda j: j[1])
        return "/" + path, size
    largest = report.largest_files(1)[0]
    return largest["path"], largest["bytes"]


def _upper(app: Running) -> str:
    data = app.container.attrs.get("GraphDriver", {}).get("Data", {}) or {}
    return data.get("UpperDir", "")


def copy_on_write(what: str = "basic", timeout: float = 30) -> CopyOnWrite:
    """Start two containers of one image: A appends a line to a file that lives in a lower
    layer as it starts (its own command, so no `docker exec` is needed), then sleeps; B runs
    the app. Measure both containers' ``docker diff``, writable layers and lower dirs, and
    the file's size as each sees it (read through the engine, as ``docker cp`` does)."""
    import time

    tag = tag_of(what)
    report = inspect(tag)
    path, size = _cow_file(report)
    line = CHANGE_LINE + "\n"
    append = ["sh", "-c", f"printf '%s\\n' '{CHANGE_LINE}' >> '{path}' && exec sleep 600"]
    quiet = {"command": append, "wait_ready": False, "stop_timeout": 1}
    with workbook.run(tag, lab=LAB, **quiet) as a, workbook.run(tag, lab=LAB) as b:
        deadline = time.monotonic() + timeout
        while a.file_size(path) != size + len(line.encode()):
            if time.monotonic() > deadline:
                raise RuntimeError(f"container A did not append to {path} within {timeout} s: "
                                   f"{a.logs()}")
            time.sleep(0.2)
        return CopyOnWrite(
            image=tag, path=path, file_bytes=size, line_bytes=len(line.encode()),
            diff_a=a.diff(), diff_b=b.diff(), writable_a=a.sizes()["writable"],
            writable_b=b.sizes()["writable"], size_in_a=a.file_size(path),
            size_in_b=b.file_size(path), lower_a=a.lower_dirs(), lower_b=b.lower_dirs(),
            upper_a=_upper(a), upper_b=_upper(b), note=stand_in_note(dockerfile_of(what)),
            image_bytes=report.size_bytes)


# ---------------------------------------------------------------------------- build cache


def dependency_layer_first(result: Any) -> bool:
    """From a build's own steps, right after it: does a dependency step come before the
    sources are copied? (What makes a code change reuse the dependency layer.)"""
    steps = [s.instruction for s in result.steps]
    dependency = next((i for i, text in enumerate(steps) if DEPENDENCY_STEP in text), None)
    sources = next((i for i, text in enumerate(steps)
                    if text.startswith(("COPY src", "COPY . ", "ADD src", "ADD . "))), None)
    return dependency is not None and sources is not None and dependency < sources


@dataclass
class Rebuild:
    """One Dockerfile rebuilt after a one-line source change (``workbook.delivery``)."""

    role: str
    name: str
    delivery: workbook.Delivery
    fetched: int | None = None  # files Maven fetched from this process's mirror (None: none)

    @property
    def seconds(self) -> float:
        return self.delivery.warm.seconds

    @property
    def dependency_cached(self) -> bool:
        """True when a separate dependency step exists and came from the cache."""
        try:
            return self.delivery.warm.step(DEPENDENCY_STEP).cached
        except KeyError:
            return False

    @property
    def has_dependency_step(self) -> bool:
        return any(DEPENDENCY_STEP in s.instruction for s in self.delivery.warm.steps)

    def row(self) -> dict[str, Any]:
        warm = self.delivery.warm
        dep = ("from cache" if self.dependency_cached else "ran again") \
            if self.has_dependency_step else "none: inside `mvn package`"
        return {"order": self.role, "Dockerfile": variant(self.name).path.name,
                "rebuild s": round(self.seconds, 1),
                "steps from cache": f"{warm.cached_steps}/{len(warm.steps)}",
                "dependency step": dep,
                "files fetched from the Maven mirror": "—" if self.fetched is None
                else self.fetched,
                "push MB": to_mb(self.delivery.push_bytes)}


@dataclass
class CacheOrder:
    """The same one-line change rebuilt with a bad and a good instruction order."""

    bad: Rebuild
    good: Rebuild
    note: str = ""

    @property
    def ratio(self) -> float:
        """Good-order rebuild time over bad-order rebuild time, from this run."""
        return self.good.seconds / self.bad.seconds

    @property
    def dependency_cached(self) -> bool:
        return self.good.dependency_cached

    def table(self) -> pandas.DataFrame:
        return dataframe([self.bad.row(), self.good.row()])

    def steps(self) -> pandas.DataFrame:
        rows = []
        for rebuild in (self.bad, self.good):
            for s in rebuild.delivery.warm.steps:
                if s.instruction.split(" ", 1)[0] in ("LABEL",):
                    continue
                rows.append({"order": rebuild.role, "step": s.index,
                             "instruction": short(s.instruction, 60),
                             "cached": "yes" if s.cached else "", "s": round(s.seconds, 1)})
        return dataframe(rows)

    def points(self) -> list[str]:
        return [
            f"Bad order: {self.bad.seconds:.0f} s to rebuild after a one-line change; good "
            f"order: {self.good.seconds:.0f} s ({self.ratio:.2f} × the bad order's time).",
            "Here Maven downloads from a mirror on this machine; on a real network the bad "
            "order fetches every dependency again on each change, so the gap is far wider."
            + (f" (This change made the bad order fetch {self.bad.fetched:,} files, the good "
               f"order {self.good.fetched:,}.)" if self.bad.fetched is not None
               and self.good.fetched is not None else ""),
            f"A push after the change sends {self.bad.delivery.push_bytes / MB:.0f} MB with the "
            f"bad order and {self.good.delivery.push_bytes / MB:.0f} MB with the good one.",
        ]

    def plot(self) -> Figure:
        """Seconds per build step of both rebuilds, cached steps marked."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10, 4.2), layout="constrained")
        axes = figure.subplots(1, 2, sharex=True)
        longest = max(self.bad.seconds, self.good.seconds)
        for ax, rebuild in zip(axes, (self.bad, self.good), strict=True):
            steps = [s for s in rebuild.delivery.warm.steps
                     if s.instruction.split(" ", 1)[0] not in ("LABEL", "ARG", "FROM")]
            labels = [short(s.instruction, 34) for s in steps]
            colours = ["#bdbdbd" if s.cached else "#1f6fb4" for s in steps]
            bars = ax.barh(range(len(steps)), [s.seconds for s in steps], color=colours)
            ax.bar_label(bars, labels=["from cache" if s.cached else
                                       f"{s.seconds:.0f} s" if s.seconds >= 10 else
                                       f"{s.seconds:.1f} s" for s in steps],
                         fontsize=8, padding=3)
            ax.set_yticks(range(len(steps)), labels, fontsize=8)
            ax.invert_yaxis()
            ax.set_xlim(0, longest * 1.25)
            ax.set_title(f"{rebuild.role}: {rebuild.seconds:.0f} s", fontsize=10)
            ax.set_xlabel("seconds per step")
        figure.suptitle("Rebuild after a one-line source change" + self.note)
        return figure

    def _repr_html_(self) -> str:
        return (table_html(self.table(), "Rebuild after a one-line change to a Java source"
                           + self.note) + points_html(self.points()))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), "Rebuild after a one-line change"),
                          *("- " + p for p in self.points())])


def cache_order(bad: str = "basic", good: str = "ordered") -> CacheOrder:
    """Build both Dockerfiles with the current sources (cached when nothing changed),
    then again on a copy of the app with one Java line changed; time both rebuilds."""
    rebuilds = []
    for role, name in (("bad order", bad), ("good order", good)):
        before = _mirror_served()
        done = workbook.delivery(name, cold=False, record=False)
        after = _mirror_served()
        fetched = after - before if before is not None and after is not None else None
        rebuilds.append(Rebuild(role, name, done, fetched))
    bad_order, good_order = rebuilds
    return CacheOrder(bad_order, good_order, note=stand_in_note(variant(bad).path))


def _mirror_served() -> int | None:
    """Files the Maven mirror this process started has served so far (None without one):
    what a build fetched is what it would download from a remote repository."""
    from slimlab.kit import mirror

    shared = mirror._shared  # started by the first build; None when builds use no mirror
    return shared.stats.served if shared is not None else None


@dataclass
class MountedRebuild:
    """One Dockerfile rebuilt after a pom.xml change."""

    name: str
    build: Any  # BuildResult of the rebuild
    fetched: int | None  # files Maven fetched from this process's mirror (None: no mirror)
    image_bytes: int

    @property
    def dependency_seconds(self) -> float:
        try:
            return self.build.step(DEPENDENCY_STEP).seconds
        except KeyError:
            return 0.0

    def row(self) -> dict[str, Any]:
        return {"Dockerfile": variant(self.name).path.name,
                "rebuild s": round(self.build.seconds, 1),
                "dependency step s": round(self.dependency_seconds, 1),
                "files fetched from the Maven mirror": "—" if self.fetched is None
                else self.fetched,
                "image MB": to_mb(self.image_bytes)}


@dataclass
class CacheMount:
    """The ordered Dockerfile against the same with a BuildKit cache mount for ~/.m2,
    both rebuilt after a pom.xml change (the dependency step's input changes)."""

    ordered: MountedRebuild
    mounted: MountedRebuild
    note: str = ""

    @property
    def fetched_ratio(self) -> float | None:
        """Files the mounted build fetched over those the ordered one fetched (mirror only)."""
        if self.ordered.fetched in (None, 0) or self.mounted.fetched is None:
            return None
        return self.mounted.fetched / self.ordered.fetched

    @property
    def dependency_ratio(self) -> float:
        """Dependency-step seconds, mounted over ordered, from this run."""
        return self.mounted.dependency_seconds / max(self.ordered.dependency_seconds, 1e-9)

    @property
    def cost_ratio(self) -> float:
        """What the dependency step cost after the pom change, mounted over ordered: files
        fetched when a Maven mirror on this machine counts them, else seconds."""
        fetched = self.fetched_ratio
        return fetched if fetched is not None else self.dependency_ratio

    def table(self) -> pandas.DataFrame:
        return dataframe([self.ordered.row(), self.mounted.row()])

    def points(self) -> list[str]:
        fetched = (f" The ordered build fetched {self.ordered.fetched:,} files again; the "
                   f"mounted one {self.mounted.fetched:,}."
                   if self.ordered.fetched is not None and self.mounted.fetched is not None
                   else "")
        return [
            f"After a pom.xml change the dependency step ran again in both: "
            f"{self.ordered.dependency_seconds:.1f} s ordered, "
            f"{self.mounted.dependency_seconds:.1f} s with the cache mount.{fetched}",
            "A cache mount is BuildKit's own cache on the build machine: it is not in any "
            f"layer, so the image is {to_mb(self.ordered.image_bytes - self.mounted.image_bytes)}"
            " MB lighter (no ~/.m2 shipped), and a fresh CI runner starts with it empty.",
        ]

    def _repr_html_(self) -> str:
        return (table_html(self.table(), "Rebuild after a pom.xml change" + self.note)
                + points_html(self.points()))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), "Rebuild after a pom.xml change"),
                          *("- " + p for p in self.points())])


def cache_mount(ordered: str = "ordered", mounted: str = "cache-mount") -> CacheMount:
    """Build both Dockerfiles as they are (cached when nothing changed), then again on a
    copy of the app whose pom.xml gained a property; count what each rebuild fetched."""
    from slimlab import engine
    from slimlab.metrics.delivery import changed_copy

    sizes = {}
    for name in (ordered, mounted):
        # recorded as sl.build records (tag, base images): the scoreboard's "base images"
        # column and the plots' kit notes read it, and cache-mount is built nowhere else
        workbook.build(name)
        sizes[name] = inspect(variant(name).tag).size_bytes  # the pom change adds no bytes
    rebuilds = []
    with changed_copy(what="pom") as copy:
        for name in (ordered, mounted):
            tag = variant(name).tag + "-pom"
            try:
                before = _mirror_served()
                result = workbook.build(name, context=copy, tag=tag, record=False)
                after = _mirror_served()
            finally:  # Ctrl+C or a failed build included
                engine.remove_image(tag)
            fetched = after - before if before is not None and after is not None else None
            rebuilds.append(MountedRebuild(name, result, fetched, sizes[name]))
    ordered_rebuild, mounted_rebuild = rebuilds
    return CacheMount(ordered_rebuild, mounted_rebuild, note=stand_in_note(variant(ordered).path))


# ---------------------------------------------------------------------------- build context


NEEDED = ("pom.xml", ".mvn/", "src/")  # what Dockerfile's `COPY . .` and `mvn package` need
BUILD_OUTPUT = "target/"
CHECKOUT = "sample-app-with-target"


@dataclass
class BuildContext:
    """What a build of the app would send, per top-level entry, with and without the
    ignore rules in its ``.dockerignore``."""

    entries: list[dict]
    patterns: list[str]
    root: str = ""

    @property
    def with_ignore(self) -> int:
        return sum(e["sent"] for e in self.entries)

    @property
    def without_ignore(self) -> int:
        return sum(e["bytes"] for e in self.entries)

    @property
    def saved_bytes(self) -> int:
        return self.without_ignore - self.with_ignore

    @property
    def ratio(self) -> float:
        """Bytes sent with the rules over bytes sent without them."""
        return self.with_ignore / max(self.without_ignore, 1)

    @property
    def useful_ratio(self) -> float:
        """``ratio`` for rules that still send what the build reads; 1.0 for rules that
        keep that out too (``*``): such a context is small because it is broken."""
        return self.ratio if self.needed_sent else 1.0

    @property
    def has_target(self) -> bool:
        return any(e["entry"] == BUILD_OUTPUT for e in self.entries)

    @property
    def target_sent(self) -> int:
        """Bytes of the host's build output the rules still let through (0: kept out)."""
        return sum(e["sent"] for e in self.entries if e["entry"] == BUILD_OUTPUT)

    @property
    def needed_sent(self) -> bool:
        """True when every file the build needs is still sent: ``*`` also keeps target/
        out, but then `mvn package` has no pom.xml to read."""
        by_entry = {e["entry"]: e for e in self.entries}
        return all(name in by_entry and by_entry[name]["sent"] == by_entry[name]["bytes"]
                   for name in NEEDED)

    def table(self) -> pandas.DataFrame:
        return dataframe([{"entry": e["entry"], "MB on disk": round(e["bytes"] / MB, 2),
                           "sent": "yes" if e["sent"] == e["bytes"]
                           else ("no" if e["sent"] == 0 else "partly"),
                           "MB sent": round(e["sent"] / MB, 2)} for e in self.entries])

    def points(self) -> list[str]:
        points = [f"Without .dockerignore a build sends {self.without_ignore / MB:.2f} MB; "
                  f"with these rules, {self.with_ignore / MB:.2f} MB."]
        if self.has_target and self.target_sent:
            points.append(f"This checkout holds the target/ a host build leaves (copied out of "
                          f"the image's own build): these rules send {self.target_sent / MB:.2f}"
                          " MB of it, COPY . . ships that into the image, and every host "
                          "build changes it and so invalidates the build cache.")
        elif self.has_target:
            points.append("This checkout holds the target/ a host build leaves (copied out of "
                          "the image's own build), and these rules keep all of it out: the "
                          "image builds its own jar.")
        else:
            points.append("This app folder has no target/: nothing a build made is here.")
        return points

    def _repr_html_(self) -> str:
        rules = ", ".join(f"`{p}`" for p in self.patterns) or "none"
        caption = f"The build context of {self.root or 'the app'} (.dockerignore: {rules})"
        return table_html(self.table(), caption) + points_html(self.points())

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), f"The build context of {self.root}"),
                          *("- " + p for p in self.points())])


def checkout_with_build_output(jar_from: str = "basic") -> Path:
    """A fresh copy of sample-app whose ``target/`` is the real output of ``mvn package``,
    taken from an image built in this lab: a checkout after a host build, without running
    Maven on the host. Rebuilt on each call, so stale rules never linger."""
    import shutil

    from slimlab import engine

    workbook.ensure(jar_from)  # the target/ comes out of its build stage's output
    root = config.home() / "checkouts" / CHECKOUT
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(config.workbook_root() / "sample-app", root,
                    ignore=shutil.ignore_patterns("target", "build-proofs", ".dockerignore"))
    _extract_dir(engine.client(), tag_of(jar_from), "/src/target", root)
    return root


def _extract_dir(client: Any, image: str, path: str, into: Path) -> None:
    """Copy one folder out of an image (as ``docker cp`` does) through a container that is
    created, never started, and removed."""
    import contextlib
    import io
    import tarfile

    from slimlab import engine

    container = client.containers.create(image, command=["true"], labels=engine.labels(LAB))
    try:
        stream, _ = container.get_archive(path)
        data = b"".join(stream)
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")


def build_context(rules: list[str] | None = None, *, app_dir: Path | None = None,
                  jar_from: str = "basic") -> BuildContext:
    """Bytes each top-level entry of the app adds to a build context, with and without
    ignore rules (the engine's own matcher). ``rules`` are written into the app's
    ``.dockerignore`` first (``[]``: no file; ``None``: whatever file ``app_dir`` has).
    ``app_dir``: the app (default: a fresh checkout that holds a host build's ``target/``,
    see ``checkout_with_build_output``). Rules are written only into a scratch checkout
    under Slimlab's home, never into a learner's own sample-app."""
    import os

    from slimlab.context import included_paths, read_dockerignore

    root = Path(app_dir or checkout_with_build_output(jar_from)).resolve()
    scratch = (config.home() / "checkouts").resolve()
    if rules is not None and scratch not in root.parents:
        raise ConfigError(f"build_context writes .dockerignore only into its own checkout "
                          f"under {scratch}, not into {root}.",
                          hint="Leave app_dir out, or pass rules=None to measure the folder "
                               "with the .dockerignore it has.")
    ignore = root / ".dockerignore"
    if rules:
        ignore.write_text("".join(f"{r}\n" for r in rules))
    elif rules is not None:  # no rules: no .dockerignore at all
        ignore.unlink(missing_ok=True)
    patterns = read_dockerignore(root)
    kept = included_paths(root, patterns)
    sizes: dict[str, list[int]] = {}
    for rel in sorted(included_paths(root, [])):
        full = os.path.join(root, rel)
        if not os.path.isfile(full) or os.path.islink(full):
            continue
        top = rel.split("/", 1)[0] + ("/" if "/" in rel else "")
        entry = sizes.setdefault(top, [0, 0])
        size = os.path.getsize(full)
        entry[0] += size
        entry[1] += size if rel in kept else 0
    entries = [{"entry": k, "bytes": v[0], "sent": v[1]}
               for k, v in sorted(sizes.items(), key=lambda kv: -kv[1][0])]
    return BuildContext(entries, patterns, root.name)


def summary(basic: str, cleanup: CleanupDemo, cow: CopyOnWrite, order: CacheOrder,
              context: BuildContext) -> Summary:
    """Lab 01's closing table, drawn from the demonstrations' own measurements."""
    report = workbook.image(basic)
    note = stand_in_note(dockerfile_of(basic))
    ours = [r for r in filesystem_layers(basic, own_only=True)]
    heaviest = max(ours, key=lambda r: r["size_bytes"]) if ours else None
    rows = [
        {"what": f"{tag_of(basic)} size / pull size{note}",
         "measured": f"{report.size_bytes / MB:,.0f} MB / {report.pull_bytes / MB:,.0f} MB"},
        {"what": "cleanup in a later RUN vs the same RUN (size)",
         "measured": f"{cleanup.later.size_bytes / MB:.0f} MB vs "
                     f"{cleanup.same.size_bytes / MB:.0f} MB ({cleanup.ratio:.2f} ×)"},
        {"what": "wasted bytes, later RUN vs same RUN",
         "measured": f"{cleanup.later.wasted_bytes / MB:.1f} MB vs "
                     f"{cleanup.same.wasted_bytes / MB:.1f} MB"},
        {"what": "copy-on-write: writable layer growth for one appended line",
         "measured": f"{cow.grew_bytes / MB:.2f} MB for {cow.line_bytes} bytes"},
        {"what": "rebuild after a one-line change, bad vs good order",
         "measured": f"{order.bad.seconds:.0f} s vs {order.good.seconds:.0f} s "
                     f"({order.ratio:.2f} ×)"},
        {"what": "push after that change, bad vs good order",
         "measured": f"{order.bad.delivery.push_bytes / MB:.0f} MB vs "
                     f"{order.good.delivery.push_bytes / MB:.0f} MB"},
        {"what": "build context of a checkout with target/, without / with your .dockerignore",
         "measured": f"{context.without_ignore / MB:.2f} MB / {context.with_ignore / MB:.2f} MB"},
    ]
    points = [
        f"{tag_of(basic)} ships a JDK, Maven, the sources and Maven's repository: "
        f"{report.size_bytes / MB:,.0f} MB on disk{note}"
        + (f"; its own heaviest layer is `{short(heaviest['instruction'], 40)}` "
           f"({heaviest['size_bytes'] / MB:.0f} MB)." if heaviest else "."),
        f"Deleting in a later RUN saved nothing: {cleanup.later.wasted_bytes / MB:.0f} MB "
        f"of deleted files are still in the image, and every pull transfers them "
        f"compressed ({(cleanup.later.pull_bytes - cleanup.same.pull_bytes) / MB:.0f} MB "
        f"more than the same-RUN image). Cleaning up in the same RUN made the image "
        f"{cleanup.saved_bytes / MB:.0f} MB smaller.",
        f"A container writes into its own layer: one appended line copied "
        f"{cow.file_bytes / MB:.1f} MB up, while a second container kept reading the "
        "shared, unchanged lower layers.",
        f"Ordering instructions from least to most often changed cut the rebuild to "
        f"{order.ratio:.2f} × (through a mirror on this machine; far more on a real network)"
        + (" and kept the dependency layer from the cache." if order.dependency_cached
           else ", but the dependency layer was not reused: check Dockerfile.ordered."),
        f"Your .dockerignore keeps the build context at {context.with_ignore / MB:.2f} MB "
        f"instead of {context.without_ignore / MB:.2f} MB"
        + (": the checkout had no target/ to keep out." if not context.has_target
           else ", and the host's target/ out of the image." if context.target_sent == 0
           else ": target/ still goes in, see its exercise."),
    ]
    return Summary(f"Lab 01, measured in this run{note}", rows, points)

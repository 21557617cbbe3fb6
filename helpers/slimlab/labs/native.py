"""Lab 05 (05-native): is a native-image builder available, and what Spring AOT generates.

A GraalVM native build needs the builder image (``NATIVE_BUILDER_IMAGE``), which the kit
cannot stand in for. Where it is missing, ``build`` records native as "not measured here"
with the reason, so the scoreboard shows the gap and the write-up's figure as its own, and
every figure of it is ``NotMeasured``: ``check`` then skips its checkpoint instead of failing
it. The rest of the lab (Spring AOT, the scoreboard) runs everywhere.

Spring AOT is the step a native build starts from and needs no GraalVM: ``spring_aot``
builds ``labs/05-native/Dockerfile.aot`` (``mvn -Pnative package`` on the Maven image) and
reads what it generated from that image's files.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from slimlab import config, engine
from slimlab.builder import BuildResult
from slimlab.containers import run_container
from slimlab.errors import BaseImageMissing, ContainerFailed
from slimlab.kit import bases
from slimlab.metrics.image import ImageReport, inspect
from slimlab.report import VARIANT_ORDER, WRITEUP_SIZE_COLUMN
from slimlab.variants import CATALOG, Variant, variant
from slimlab.views import Table, table

if TYPE_CHECKING:
    import pandas

LAB = "05-native"
BUILDER_ARG = "NATIVE_BUILDER_IMAGE"
AOT_DOCKERFILE = "labs/05-native/Dockerfile.aot"
AOT_TAG = "bookshelf:spring-aot"
AOT_ROOT = "src/target"  # the build stage's WORKDIR is /src

# What a native build asks of the engine. The memory figures follow GraalVM's build output
# (the builder takes a large share of RAM for its heap); the time is a rule of thumb for a
# Spring Boot + JPA service (roughly 15-30 CPU-minutes), NOT a measurement: it only tells
# a learner whether to start the build now or over lunch.
MIN_MEMORY_GIB = 4.0
GOOD_MEMORY_GIB = 8.0
CPU_MINUTES = (15.0, 30.0)

# What Spring AOT leaves in target/: (what, glob under /src/target, globs left out, why).
APP_HINTS = "META-INF/native-image/dev.slimlab/*"
AOT_OUTPUTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("generated Java sources", "spring-aot/main/sources/*.java", (),
     "bean definitions written as plain code: no classpath scanning or reflection to "
     "find and wire beans at startup"),
    ("generated classes", "spring-aot/main/classes/*.class", (),
     "those sources compiled, plus classes made at build time: CGLIB proxies "
     "(*$$SpringCGLIB$$*), JPA entity accessors and instantiators"),
    ("the app's native-image hints", f"spring-aot/main/resources/{APP_HINTS}", (),
     "reflection, resources and proxies the app needs (reachability-metadata.json) and "
     "native-image's arguments (native-image.properties: main class, --no-fallback)"),
    ("libraries' reachability metadata", "classes/META-INF/native-image/*",
     (f"classes/{APP_HINTS}",),
     "hints for third-party libraries (Hibernate, H2, Tomcat, logback...) from GraalVM's "
     "metadata repository, copied into the jar"),
)
SOURCES_PATTERN = AOT_OUTPUTS[0][1]
LIBRARY_METADATA = AOT_OUTPUTS[3]
LIBRARIES = "libraries with reachability metadata"


# ---------------------------------------------------------------------------- preflight


@dataclass
class Preflight:
    """Can a native build run here, and what will it cost? Shown before any build starts."""

    builder: str
    source: str  # "upstream" or "missing"
    reason: str  # why the builder cannot be used ("" when it can)
    cpus: int
    memory_gib: float

    @property
    def available(self) -> bool:
        return not self.reason

    @property
    def memory_ok(self) -> bool:
        return self.memory_gib >= MIN_MEMORY_GIB

    @property
    def minutes(self) -> tuple[int, int]:
        """The rule-of-thumb build time on this engine's cores (an estimate, not measured)."""
        cores = max(1, self.cpus)
        low, high = (max(2, math.ceil(m / cores)) for m in CPU_MINUTES)
        return low, high

    def memory_text(self) -> str:
        if self.memory_gib >= GOOD_MEMORY_GIB:
            verdict = "enough"
        elif self.memory_ok:
            verdict = f"tight: {GOOD_MEMORY_GIB:g} GiB or more is comfortable"
        else:
            verdict = (f"too little: native-image needs {MIN_MEMORY_GIB:g} GiB or more; give "
                       "the engine more memory (Docker Desktop: Settings > Resources)")
        return f"{self.memory_gib:.1f} GiB ({verdict})"

    def rows(self) -> list[tuple[str, str]]:
        low, high = self.minutes
        return [
            ("builder image", self.builder),
            ("builder here", "available" if self.available else "not available"),
            ("engine memory (total)", self.memory_text()),
            ("engine CPUs", str(self.cpus)),
            ("expected build time", f"about {low}-{high} min on {self.cpus} CPU(s) (rule of "
             f"thumb: {CPU_MINUTES[0]:g}-{CPU_MINUTES[1]:g} CPU-minutes; not measured)"),
            ("what happens", self.plan()),
        ]

    def plan(self) -> str:
        if not self.available:
            return ("the native build and its checkpoints are skipped: " + self.reason
                    + " Everything else in this lab runs.")
        if not self.memory_ok:
            return "the native build is skipped: the engine has too little memory."
        return "the native build runs below; start it and read on while it compiles."

    def __str__(self) -> str:
        width = max(len(k) for k, _ in self.rows())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.rows())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                        f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
                        for k, v in self.rows())
        return f"<table>{cells}</table>"


def preflight(profile: str | None = None) -> Preflight:
    """Resolve the builder without pulling, and read the engine's memory and CPUs."""
    info = engine.info()
    cpus = int(info.get("NCPU") or 1)
    memory = (info.get("MemTotal") or 0) / 2**30
    upstream = bases.BY_ARG[BUILDER_ARG].upstream
    try:
        resolved = bases.resolve(BUILDER_ARG, profile)
    except BaseImageMissing as exc:
        reason = _missing_reason(profile or config.profile(), exc)
        return Preflight(upstream, "missing", reason, cpus, memory)
    return Preflight(resolved.image, resolved.source, "", cpus, memory)


def _missing_reason(profile: str, exc: BaseImageMissing) -> str:
    upstream = bases.BY_ARG[BUILDER_ARG].upstream
    if profile == "kit":
        return (f"the GraalVM builder ({upstream}) is not on this machine, no container "
                "registry can be reached to pull it, and the kit has no stand-in (it cannot "
                "be assembled from Debian or Maven Central packages).")
    return f"{exc.message} {exc.hint}".strip()


# ---------------------------------------------------------------------------- the build


def build_native(pre: Preflight | None = None, **kwargs: Any) -> BuildResult | None:
    """Build bookshelf:native when the builder is here; otherwise record why it is not.

    Returns the build, or None when it was skipped (the reason is recorded for the
    scoreboard and printed here).
    """
    from slimlab import workbook
    from slimlab.checkpoints import record_measurement

    pre = pre or preflight()
    native = variant("native")
    if pre.available and pre.memory_ok:
        result = workbook.build(native, **kwargs)
        record_measurement(LAB, native.name, {"not_measured_reason": ""})  # clears a skip
        return result
    reason = skip_reason(pre)
    short = ("no GraalVM builder image here (no registry to pull it from; the kit cannot "
             "stand in for it)" if pre.source == "missing" else reason)
    record_measurement(LAB, native.name, {"tag": native.tag, "not_measured_reason": short})
    print(f"Skipped: bookshelf:native is not built here. Why: {reason}\n"
          "Recorded as 'not measured here'; the scoreboard shows the write-up's native figure "
          "as its own, and no number of ours stands in for it.")
    return None


def skip_reason(pre: Preflight) -> str:
    """Why the native build is skipped here: no builder, or too little memory."""
    return pre.reason or f"the engine has {pre.memory_gib:.1f} GiB of memory, too little"


# ---------------------------------------------------------------------------- against the JVM


def start_against_jvm(native: BuildResult | None, jvm: str = "alpine") -> Table:
    """Start the native image and the JVM yardstick (built here if missing) in turns, or
    the yardstick alone when native was not built: its figures fill the scoreboard."""
    from slimlab import workbook

    workbook.ensure(jvm)
    names: list[str | Variant] = ["native", jvm] if native is not None else [jvm]
    rows = workbook.startup(names)
    return table(rows, "Time to ready and memory, measured in this run")


@dataclass(frozen=True)
class NotMeasured:
    """A figure this machine could not measure (no native image), with the reason."""

    reason: str

    def __str__(self) -> str:
        return f"not measured here ({self.reason})"


Measured = Any  # a measured value, or NotMeasured


@dataclass(frozen=True)
class NativeFigures:
    """What the native checkpoints compare: its answer, its contents, and its ready time,
    memory and size over the JVM yardstick's, from the same run."""

    status: Measured
    contents_ok: Measured
    ready_ratio: Measured
    memory_ratio: Measured
    size_ratio: Measured

    def __str__(self) -> str:
        return "\n".join(f"{name.replace('_', ' ')}: {getattr(self, name)}"
                         for name in ("status", "contents_ok", "ready_ratio", "memory_ratio",
                                      "size_ratio"))

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def against_jvm(native: BuildResult | None, pre: Preflight, jvm: str = "alpine"
                ) -> NativeFigures:
    """Measure the native image, start it once and call its API, and set its figures over
    the JVM yardstick's (``start_against_jvm`` timed both); every figure is
    ``NotMeasured`` when no native image was built here, so its checkpoint is skipped."""
    from slimlab import workbook
    from slimlab.checkpoints import load_measurements

    if native is None:
        missing = NotMeasured(skip_reason(pre))
        return NativeFigures(missing, missing, missing, missing, missing)
    workbook.measure("native")
    measured = load_measurements()
    ours, theirs = measured["native"], measured[jvm]
    with workbook.run("native") as app:
        status, _ = app.get("/api/books?size=1")
    return NativeFigures(
        status=status,
        contents_ok=all(row["ok"] for row in workbook.contents_check("native")),
        ready_ratio=ours["ready_s"] / theirs["ready_s"],
        memory_ratio=ours["memory_mib"] / theirs["memory_mib"],
        size_ratio=ours["size_bytes"] / theirs["size_bytes"])


def check(lab: str, name: str, measured: object, **rule: Any) -> None:
    """``sl.check`` for a figure of the native image: where none could be built here the
    figure is ``NotMeasured`` and the checkpoint is skipped with the reason, never failed,
    because a machine without the builder is no mistake of the learner's (grading counts a
    checkpoint that was not recorded as 0 points all the same)."""
    from slimlab import workbook

    if isinstance(measured, NotMeasured):
        print(f"Skipped, {measured}: {name}")
        return
    workbook.check(lab, name, measured, **rule)


# ---------------------------------------------------------------------------- Spring AOT


@dataclass
class AotOutput:
    """What Spring AOT generated, read from the build stage's files (no container)."""

    tag: str
    build: BuildResult | None = None
    _report: ImageReport | None = field(default=None, repr=False)

    @property
    def report(self) -> ImageReport:
        if self._report is None:
            self._report = inspect(self.tag)
        return self._report

    def glob(self, pattern: str, exclude: tuple[str, ...] = ()) -> list[str]:
        """Files (not folders) under /src/target matching ``pattern`` (``*`` crosses
        folders), less those matching any of ``exclude``."""
        files = self.report.fs.files
        left_out = {p for ex in exclude for p in self.report.glob(f"{AOT_ROOT}/{ex}")}
        return sorted(p for p in self.report.glob(f"{AOT_ROOT}/{pattern}")
                      if p not in left_out and files[p.lstrip("/")][0].kind == "f")

    @cached_property
    def _outputs(self) -> list[tuple[str, str, str, list[str]]]:
        return [(what, pattern, why, self.glob(pattern, exclude))
                for what, pattern, exclude, why in AOT_OUTPUTS]

    def counts(self) -> dict[str, int]:
        """Files per kind of output, e.g. ``{"generated Java sources": 152, ...}``."""
        return {what: len(found) for what, _, _, found in self._outputs}

    def figures(self) -> dict[str, int]:
        """``counts`` and the number of libraries whose reachability metadata is in the
        jar: what the Spring AOT checkpoints compare."""
        return {**self.counts(), LIBRARIES: len(self.metadata_libraries())}

    def files(self) -> Table:
        """One row per kind of generated output: how many files, two examples, and why."""
        import pandas as pd

        rows = [{"what": what, "files": len(found),
                 "under /src/target/": pattern.split("*")[0],
                 "for example": ", ".join(p.rsplit("/", 1)[-1] for p in found[:2]),
                 "why": why}
                for what, pattern, why, found in self._outputs]
        return Table(pd.DataFrame(rows), f"What Spring AOT generated in {self.tag}")

    def sources(self, contains: str = "") -> list[str]:
        found = self.glob(SOURCES_PATTERN)
        return [p for p in found if contains in p.rsplit("/", 1)[-1]]

    def metadata_libraries(self) -> list[str]:
        """The libraries (group:artifact:version) whose reachability metadata is in the jar."""
        _, pattern, exclude, _ = LIBRARY_METADATA
        prefix = f"/{AOT_ROOT}/classes/META-INF/native-image/"
        parts = {tuple(p[len(prefix):].split("/")[:3]) for p in self.glob(pattern, exclude)}
        return sorted(":".join(lib) for lib in parts if len(lib) == 3)

    def app_hints(self) -> list[str]:
        """The app's own hint files (as they ended up in target/classes and the jar)."""
        return self.glob(f"classes/{APP_HINTS}")

    def head(self, path: str, lines: int = 30) -> str:
        """The first lines of a file in the image, read by a short-lived container."""
        return read_head(self.tag, path, lines)

    def show_source(self, contains: str = "BookController", lines: int = 30) -> None:
        """Print the head of one generated source (the first whose name contains ``contains``)."""
        found = self.sources(contains) or self.sources()
        if not found:
            print("Spring AOT generated no Java sources: was the build run with -Pnative?")
            return
        print(f"{found[0]} (first {lines} lines)\n")
        print(self.head(found[0], lines))

    def show_hints(self, lines: int = 25) -> None:
        """Print the app's native-image arguments and the head of its reachability metadata."""
        for path in self.app_hints():
            print(f"{path} (first {lines} lines)\n")
            print(self.head(path, lines))


def spring_aot(context: str | None = None, quiet: bool = False) -> AotOutput:
    """Build the Spring AOT build stage (``Dockerfile.aot``) and read what it generated."""
    from slimlab import workbook

    result = workbook.build(config.workbook_root() / AOT_DOCKERFILE, tag=AOT_TAG, lab=LAB,
                            context=context, quiet=quiet, record=False)
    return AotOutput(AOT_TAG, result)


def remove_stage_image() -> bool:
    """Remove ``bookshelf:spring-aot``, the build stage Spring AOT ran in: it was built only
    to look inside and is never shipped. True when there was one to remove."""
    if not engine.image_exists(AOT_TAG):
        return False
    engine.remove_image(AOT_TAG)
    return True


def read_head(tag: str, path: str, lines: int = 30, timeout: float = 60) -> str:
    """``head -n`` of a file in an image, via ``sl.run`` (so the container is always removed)."""
    with run_container(tag, lab=LAB, command=["head", "-n", str(lines), path],
                     wait_ready=False) as box:
        result = box.container.wait(timeout=timeout)
        text = box.container.logs(stdout=True, stderr=True).decode(errors="replace")
    if result.get("StatusCode"):
        raise ContainerFailed(f"Could not read {path} in {tag}.", log=text,
                              hint="Check the path: list files with sl.image(tag).glob(...).")
    return text


# ---------------------------------------------------------------------------- scoreboard


@dataclass
class Inventory:
    """Which catalog variants have an image on this machine (now measured) and which not."""

    measured: list[str]
    never_built: list[str]
    skipped: dict[str, str]

    def __str__(self) -> str:
        lines = [f"measured now (size, pull size, layers, attack surface): "
                 f"{', '.join(self.measured) or 'none'}"]
        if self.skipped:
            lines += [f"not measured here: {n} ({r})" for n, r in self.skipped.items()]
        if self.never_built:
            lines.append(f"never built on this machine (no image): {', '.join(self.never_built)}"
                         " - run their labs to add them to the scoreboard")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def measure_existing() -> Inventory:
    """``sl.measure`` every catalog variant whose image exists; name the ones that do not."""
    from slimlab import workbook
    from slimlab.checkpoints import load_measurements

    recorded = load_measurements()
    measured, never, skipped = [], [], {}
    for v in CATALOG:
        if engine.image_exists(v.tag):
            workbook.measure(v)
            measured.append(v.name)
            continue
        reason = str(recorded.get(v.name, {}).get("not_measured_reason") or "")
        if reason:
            skipped[v.name] = reason
        else:
            never.append(v.name)
    return Inventory(measured, never, skipped)


def on_the_board(measurements: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The variants worth a scoreboard row: something measured (size or startup), or a
    recorded reason why not. Rows made only of a build record (a demo image since removed)
    would be all blanks."""
    keys = ("size_bytes", "ready_s", "not_measured_reason")
    return {name: m for name, m in measurements.items() if any(m.get(k) for k in keys)}


def board() -> dict[str, dict[str, Any]]:
    """This learner's latest measurements, the variants worth a scoreboard row only."""
    from slimlab.checkpoints import load_measurements

    return on_the_board(load_measurements())


FINAL_COLUMNS = ["base images", "size MB", "pull MB", "pull MB from", "ready s", "memory MiB",
                 "push per change MB", WRITEUP_SIZE_COLUMN, "note"]


def final_table(measurements: dict[str, dict[str, Any]]) -> pandas.DataFrame:
    """The scoreboard cut to what decides between the variants: size, pull, start, memory,
    bytes per change, the write-up's size, and why a row was not measured."""
    from slimlab.report import scoreboard

    return scoreboard(measurements)[FINAL_COLUMNS]


JVM_VARIANTS = tuple(v.name for v in CATALOG if v.name != "native")


def smallest_jvm(measurements: dict[str, dict[str, Any]], present_only: bool = True,
                 ) -> dict[str, Any] | None:
    """The JVM variant with the smallest pull size (disk size breaks ties), with both sizes.

    ``present_only`` keeps variants whose image is on this machine now, so a figure from an
    image removed since cannot win.
    """
    candidates = []
    for name in JVM_VARIANTS:
        m = measurements.get(name) or {}
        size, pull = m.get("size_bytes"), m.get("pull_bytes")
        if size is None or pull is None or m.get("not_measured_reason"):
            continue
        if present_only and not engine.image_exists(variant(name).tag):
            continue
        candidates.append((pull, size, name))
    if not candidates:
        return None
    pull, size, name = min(candidates)
    return {"variant": name, "tag": variant(name).tag, "size_bytes": size, "pull_bytes": pull,
            "size_mb": round(size / 1e6, 1), "pull_mb": round(pull / 1e6, 1),
            "base_source": measurements[name].get("base_source", "")}


def sizes_reported(best: dict[str, Any] | None) -> bool:
    """True when ``smallest_jvm`` found a variant and both its sizes are measured."""
    return best is not None and best["size_bytes"] > 0 and best["pull_bytes"] > 0


def shrink_factor(measurements: dict[str, dict[str, Any]], present_only: bool = True
                  ) -> float | None:
    """How many times smaller on disk than stage 1 (``basic``) the smallest JVM image is
    (the one with the fewest bytes on disk, present now); None when not measured."""
    basic = (measurements.get("basic") or {}).get("size_bytes")
    sizes = [m["size_bytes"] for name in JVM_VARIANTS
             if (m := measurements.get(name) or {}).get("size_bytes")
             and not m.get("not_measured_reason")
             and (not present_only or engine.image_exists(variant(name).tag))]
    if not basic or not sizes:
        return None
    return basic / min(sizes)


def key_points(measurements: dict[str, dict[str, Any]], aot: AotOutput | None = None,
               ) -> str:
    """Lab 05's closing points, computed from what was measured (never fixed text)."""
    from slimlab.report import WRITEUP

    lines = []
    best = smallest_jvm(measurements)
    if best:
        stand_in = " (kit stand-in base images)" if best["base_source"] in ("kit", "mixed") else ""
        lines.append(f"- Smallest JVM image here: {best['tag']}, {best['size_mb']:,.1f} MB on "
                     f"disk and {best['pull_mb']:,.1f} MB to pull (estimate: each layer "
                     f"gzip-compressed at level 6){stand_in}.")
    else:
        lines.append("- No JVM variant has been measured on this machine yet: run lab 03.")
    native = measurements.get("native") or {}
    written = WRITEUP["native"]
    writeup = (f"the write-up's native image was {written['size_mb']} MB and started in "
               f"{written['startup']} on its author's machine")
    if native.get("not_measured_reason"):
        lines.append(f"- Native: not measured here ({native['not_measured_reason']}); "
                     f"{writeup} (its figures, not ours).")
    elif native.get("size_bytes") is not None:
        ready = native.get("ready_s")
        started = f", ready in {ready:.2f} s (median)" if ready is not None else ""
        lines.append(f"- Native here: {native['size_bytes'] / 1e6:,.1f} MB on disk{started}; "
                     f"{writeup}.")
    if aot is not None:
        counts = aot.counts()
        lines.append(f"- Spring AOT here: {counts['generated Java sources']} generated sources, "
                     f"{counts['generated classes']} generated classes, and reachability "
                     f"metadata for {len(aot.metadata_libraries())} libraries: the work a "
                     "native build starts from, done at build time instead of at startup.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- the write-up's errors

def _mb_of(value: Any) -> str:
    return f"{value / 1e6:,.1f} MB"


def _memory_text(measurements: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """(each variant's memory after ready, the largest/smallest memory ratio) as text."""
    from slimlab.report import ordered_variants

    memory = {n: float(m["memory_mib"]) for n in ordered_variants(measurements)
              if (m := measurements[n]).get("memory_mib") and not m.get("not_measured_reason")}
    if not memory:
        return "no variant's memory measured yet: run lab 03 (sl.startup)", ""
    listed = ", ".join(f"{n} {v:,.0f} MiB" for n, v in memory.items())
    if len(memory) < 2:
        return f"memory after ready (usage less page cache): {listed}", ""
    most, least = max(memory, key=memory.__getitem__), min(memory, key=memory.__getitem__)
    return (f"memory after ready (usage less page cache): {listed}",
            f"{most} needs {memory[most] / memory[least]:.2f}× the memory of {least}")


def _size_ratio_text(measurements: dict[str, dict[str, Any]]) -> str:
    sizes = {n: float(m["size_bytes"]) for n, m in measurements.items()
             if m.get("size_bytes") and not m.get("not_measured_reason")
             and n in VARIANT_ORDER}
    if len(sizes) < 2:
        return ""
    big, small = max(sizes, key=sizes.__getitem__), min(sizes, key=sizes.__getitem__)
    return f"image sizes here: {big} is {sizes[big] / sizes[small]:.1f}× {small} on disk"


def writeup_errata(measurements: dict[str, dict[str, Any]]) -> Table:
    """Where the write-up is wrong or inconsistent, each beside what is precise and what
    this run measured. Its figures stay its own; only the claims drawn from them are
    corrected."""
    import pandas as pd

    from slimlab.report import WRITEUP, base_label, pull_size

    alpine = measurements.get("alpine") or {}
    if alpine.get("size_bytes"):
        pulled, pulled_from = pull_size(alpine)
        pull = f", {_mb_of(pulled)} to pull ({pulled_from})" if pulled is not None else ""
        alpine_here = (f"bookshelf:alpine here: {_mb_of(alpine['size_bytes'])} on disk{pull} "
                       f"(base images: {base_label(alpine.get('base_source')) or 'unknown'}); "
                       "no kernel in it either")
    else:
        alpine_here = "bookshelf:alpine not measured yet: run lab 03"
    memory, memory_ratio = _memory_text(measurements)
    density_here = "; ".join(t for t in (memory, memory_ratio, _size_ratio_text(measurements))
                             if t)
    changes = {n: m["push_bytes_per_change"] for n, m in measurements.items()
               if m.get("push_bytes_per_change") is not None}
    change_here = ("a one-line change pushed " + ", ".join(
        f"{_mb_of(v)} ({n})" for n, v in changes.items()) if changes
        else "not measured yet: run lab 02 (sl.delivery)")
    basic, jlink = WRITEUP["basic"]["size_mb"], WRITEUP["jlink"]["size_mb"]
    rows = [
        {
            "where": "stage 4 (Alpine)",
            "the write-up says": "5MB 수준의 핵심 커널만 남긴 Alpine Linux",
            "in English": "Alpine Linux, which keeps only a ~5 MB core kernel",
            "what is precise": "An image holds no kernel: every container runs on the host's "
                               "kernel. What Alpine keeps small is its userland (musl libc, "
                               "BusyBox, apk): a base image of about 5 MB.",
            "this run": alpine_here,
        },
        {
            "where": "conclusions",
            "the write-up says": "동일 서버 자원에서 약 6배 더 많은 컨테이너 운용이 가능",
            "in English": "about 6× more containers on the same server",
            "what is precise": f"{basic} / {jlink} MB ≈ {basic / jlink:.1f} is the ratio of "
                               "image sizes. How many containers fit on a server is set by "
                               "the memory and CPU each one uses while it runs; a smaller "
                               "image saves disk and pull time, not memory.",
            "this run": density_here,
        },
        {
            "where": "section 4 against stage 1",
            "the write-up says": "847MB (section 4) · 775MB (stage 1, summary table) · 770MB "
                                 "(its docker images output)",
            "in English": "three sizes for the same unoptimised image",
            "what is precise": "They cannot all be bookshelf:basic. Section 4 prices 847 MB "
                               f"(its 85 % cut is 1 − {jlink}/847); the stage table's "
                               f"{basic} MB gives 84 %. Our 'write-up MB' column uses its "
                               f"summary table ({basic} MB); the prices here use this run's "
                               "sizes.",
            "this run": "bookshelf:basic here: "
                        + (_mb_of(measurements["basic"]["size_bytes"]) + " on disk"
                           if (measurements.get("basic") or {}).get("size_bytes")
                           else "not measured yet: run lab 01"),
        },
        {
            "where": "section 4 (egress, storage)",
            "the write-up says": "3,000 × 847MB = 2,541GB · 847MB × 100 = 84.7GB",
            "in English": "every deploy pulls, and every version stores, the whole image",
            "what is precise": "Only a node that holds none of its layers pulls an image "
                               "whole; a code change moves the changed layers. Registries "
                               "store each layer once, so versions × size is an upper bound; "
                               "and pulls within one region are often free of egress.",
            "this run": change_here,
        },
    ]
    # a captioned HTML table: a DataFrame's own display cuts each text at 50 characters
    return Table(pd.DataFrame(rows), "The write-up's claims, what is precise, and this run")

"""Lab 04 (04-jlink): the jlink runtime, its module list and what bloats it; the AOT cache.

Everything here measures images that ``sl.build`` made; nothing assumes a JDK vendor. The
module list is read from the build stage (``/jlink/modules.txt``, written by jdeps), the
runtime's bytes from the image's own layers, and a runtime's pull size from its layer's
gzip size, exactly as a registry would store it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slimlab import containers, engine
from slimlab.errors import ContainerFailed
from slimlab.metrics.image import ImageReport, inspect
from slimlab.views import MB, Summary, Table, base_rows, stand_in_note, table

if TYPE_CHECKING:
    from IPython.display import Markdown
    from matplotlib.figure import Figure

    from slimlab.builder import BuildResult
    from slimlab.metrics.layers import LayerIndex
    from slimlab.workbook import Delivery

LAB = "04-jlink"
DOCKERFILE = "labs/04-jlink/Dockerfile"
MODULES_FILE = "/jlink/modules.txt"
ROOTS_FILE = "/jlink/roots.txt"
# The bands a learner's module list must fall in: the app needs more than java.base, and a
# list near the JDK's ~70 modules means jdeps was bypassed (--add-modules ALL-MODULE-PATH).
MODULE_BAND = (8, 25)
AOT_LOG_ERROR = re.compile(r"\[(error|warning) *\]\[aot\S*\]|AOT cache .*(disabled|mismatch)",
                           re.IGNORECASE)


def dockerfile(name: str) -> Path:
    """This lab's Dockerfile ``name`` as an absolute path, whatever the kernel's folder."""
    from slimlab import config

    return config.workbook_root() / "labs" / LAB / name


# ---------------------------------------------------------------------------- containers


def output(image: str, command: Sequence[str], timeout: float = 180) -> tuple[int, str]:
    """Run ``command`` in a short-lived container of ``image`` and return (exit code, log).

    For build-stage images (they have a shell): reading a file the build wrote, say. The
    container lives inside ``run`` like every other, so it is always removed.
    """
    with containers.run_container(image, lab=LAB, wait_ready=False, command=list(command)) as app:
        result = app.container.wait(timeout=timeout)
        log = app.container.logs().decode(errors="replace")
    return int(result.get("StatusCode", -1)), log


def read_file(image: str, path: str) -> str:
    code, text = output(image, ["cat", path])
    if code != 0:
        raise ContainerFailed(f"{image} has no {path}.", log=text,
                              hint="Build the Dockerfile's jlink stage first (target='jlink').")
    return text


def modules(stage_image: str) -> list[str]:
    """The module list jdeps computed in the build stage, as jlink received it."""
    text = read_file(stage_image, MODULES_FILE).strip()
    if not re.fullmatch(r"java\.base(,[a-z0-9.]+)*", text):
        raise ContainerFailed(f"jdeps printed no module list in {stage_image}.", log=text,
                              hint="Read the jdeps step's log in the build output.")
    return text.split(",")


def runtime_modules(stage_image: str) -> list[str]:
    """Every module in the linked runtime (jlink adds what the listed ones require), from
    the ``release`` file jlink writes into it."""
    text = read_file(stage_image, "/runtime/release")
    match = re.search(r'^MODULES="([^"]*)"', text, re.MULTILINE)
    if not match:
        raise ContainerFailed(f"{stage_image}'s /runtime/release names no modules.", log=text)
    return sorted(match.group(1).split())


def jdeps_roots(stage_image: str) -> dict[str, int]:
    """How many jars jdeps took as roots (plain jars) and how many it reached only through
    the class path (modular jars, whose descriptors may name modules the app doesn't ship)."""
    roots = [line for line in read_file(stage_image, ROOTS_FILE).split() if line]
    _, listing = output(stage_image, ["sh", "-c", "ls /extracted/*/lib/*.jar"])
    jars = [line for line in listing.split() if line.endswith(".jar")]
    plain = sum(1 for r in roots if "/lib/" in r)
    return {"app jar (classes)": len(roots) - plain, "plain library jars (roots)": plain,
            "modular library jars (class path only)": len(jars) - plain,
            "library jars in all": len(jars)}


# ---------------------------------------------------------------------------- runtimes


def java_home(report: ImageReport) -> str:
    """The directory of the image's Java runtime: the one holding a real ``bin/java`` file
    beside ``lib/modules`` (``/opt/java``, ``/usr/lib/jvm/…``, ``/opt/java/openjdk``)."""
    files = report.fs.files
    for path, (entry, _) in files.items():
        if path.endswith("/bin/java") and entry.kind == "f":
            home = path[: -len("/bin/java")]
            if home + "/lib/modules" in files:
                return "/" + home
    raise ContainerFailed(f"{report.ref} holds no Java runtime (no bin/java beside lib/modules).")


def runtime_bytes(report: ImageReport) -> int:
    """Bytes of regular files under the image's Java runtime directory."""
    return report.bytes_under(java_home(report))


def files_matching(report: ImageReport, pattern: str, under: str = "") -> list[dict]:
    """Regular files whose name matches a glob (``*.debuginfo``), biggest first."""
    prefix = under.strip("/") + "/" if under else ""
    rows = [{"path": "/" + p, "bytes": e.size}
            for p, (e, _) in report.fs.files.items()
            if e.kind == "f" and p.startswith(prefix)
            and fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], pattern)]
    return sorted(rows, key=lambda r: -r["bytes"])


def bytes_of(report: ImageReport, pattern: str) -> int:
    """Total bytes of the files matching ``pattern`` (a file-name glob) in the image."""
    return sum(r["bytes"] for r in files_matching(report, pattern))


def by_kind(report: ImageReport, under: str, n: int = 6) -> list[dict]:
    """What a runtime's bytes are: grouped by file kind (debug info, native libraries, the
    module image, other), biggest first, with each group's share of the runtime."""
    prefix = under.strip("/") + "/"
    groups: dict[str, list[int]] = {}
    for path, (entry, _) in report.fs.files.items():
        if entry.kind != "f" or not path.startswith(prefix):
            continue
        name = path.rsplit("/", 1)[-1]
        kind = ("debug info (*.debuginfo)" if name.endswith(".debuginfo")
                else "JVM (libjvm.so)" if name == "libjvm.so"
                else "module image (lib/modules)" if path == prefix + "lib/modules"
                else "other native libraries (*.so)" if name.endswith(".so")
                else "everything else")
        groups.setdefault(kind, []).append(entry.size)
    total = sum(sum(v) for v in groups.values()) or 1
    rows: list[dict[str, Any]] = [
        {"what": k, "files": len(v), "bytes": sum(v), "share %": round(100 * sum(v) / total, 1)}
        for k, v in groups.items()]
    return sorted(rows, key=lambda r: -r["bytes"])[:n]


def debuginfo_case(report: ImageReport) -> dict:
    """Which case this JDK is: does a ``--strip-debug`` runtime still carry debug files?"""
    home = java_home(report)
    debug = files_matching(report, "*.debuginfo", home)
    libjvm = files_matching(report, "libjvm.so", home)
    total = report.bytes_under(home)
    found = sum(r["bytes"] for r in debug)
    return {"runtime": home, "runtime bytes": total, "debuginfo files": len(debug),
            "debuginfo bytes": found, "debuginfo share %": round(100 * found / (total or 1), 1),
            "libjvm.so bytes": libjvm[0]["bytes"] if libjvm else None,
            "trap met": found > 0.25 * total}


# ---------------------------------------------------------------------------- compression


def runtime_layer(report: ImageReport, home: str = "/opt/java") -> LayerIndex:
    """The layer that holds the runtime's module image (the ``COPY … /opt/java`` one)."""
    needle = home.strip("/") + "/lib/modules"
    for layer in report.layers:
        if any(e.path == needle for e in layer.entries):
            return layer
    raise ContainerFailed(f"{report.ref} has no layer holding /{needle}.")


def build_compressed(level: str, *, tag: str | None = None, dockerfile: str = DOCKERFILE,
                     quiet: bool = True) -> BuildResult:
    """Build the jlink image with ``--compress=<level>`` (build arg JLINK_COMPRESS)."""
    from slimlab import config
    from slimlab.builder import build_image
    from slimlab.workbook import base_args

    path = config.workbook_root() / dockerfile
    args = {r.arg: r.image for r in base_args(path)}
    args["JLINK_COMPRESS"] = level
    return build_image(path, tag or f"bookshelf:jlink-{level}", buildargs=args, lab=LAB,
                 quiet=quiet)


def compression(levels: Iterable[str] = ("zip-0", "zip-6", "zip-9"),
                dockerfile: str = DOCKERFILE, tag: str = "bookshelf:jlink") -> list[dict]:
    """Build one image per ``--compress`` level and measure its runtime layer on disk and
    on the wire (gzip, as a registry stores it), plus the whole image. The Dockerfile's own
    default level is measured on ``tag`` (the lab's image) instead of a rebuild."""
    from slimlab import config

    text = (config.workbook_root() / dockerfile).read_text()
    default = re.search(r"^ARG JLINK_COMPRESS=(\S+)", text, re.MULTILINE)
    rows = []
    for level in levels:
        if default and level == default.group(1) and engine.image_exists(tag):
            tag_used, seconds = tag, 0.0  # the lab's own image: already built with it
        else:
            result = build_compressed(level, dockerfile=dockerfile)
            tag_used, seconds = result.tag, result.seconds
        report = inspect(tag_used)
        layer = runtime_layer(report)
        disk = sum(e.size for e in layer.entries if e.kind == "f")
        rows.append({"compress": level, "tag": tag_used, "runtime disk bytes": disk,
                     "runtime pull bytes": layer.gzip_bytes,
                     "image disk bytes": report.size_bytes,
                     "image pull bytes": report.pull_bytes,
                     "build s": round(seconds, 1)})
    return rows


def plot_compression(rows: Sequence[dict], title: str = "") -> Figure:
    """Disk and pull size of the runtime per ``--compress`` level (MB), side by side."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.0), layout="constrained")
    ax = figure.add_subplot(1, 1, 1)
    names = [r["compress"] for r in rows]
    width = 0.38
    for offset, key, label, colour in (
        (-width / 2, "runtime disk bytes", "on disk (measured here)", "#1f6fb4"),
        (width / 2, "runtime pull bytes", "pulled, gzip (measured here)", "#f28e2b"),
    ):
        bars = ax.bar([i + offset for i in range(len(rows))], [r[key] / 1e6 for r in rows],
                      width, label=label, color=colour)
        ax.bar_label(bars, fmt="%.1f", fontsize=8, padding=2)
    ax.set_xticks(range(len(names)), [f"--compress={n}" for n in names])
    ax.set_ylabel("MB (10⁶ bytes)")
    ax.set_title(title or "The jlink runtime per --compress level")
    ax.legend(fontsize=8)
    ax.margins(y=0.15)
    return figure


# ---------------------------------------------------------------------------- AOT


def aot_evidence(image: str) -> dict:
    """Start the AOT image once and read what its log proves: Spring ran its AOT-generated
    code, and the JVM mapped the cache (it runs with -XX:AOTMode=on, so a rejected cache
    stops it instead of running slowly)."""
    from slimlab.workbook import run

    with run(image) as app:
        log = app.container.logs().decode(errors="replace")
        status, _ = app.get("/api/books?size=1")
    return {"image": image, "ready s": round(app.ready_seconds, 2),
            "Spring ran AOT-processed code": "Starting AOT-processed" in log,
            "JVM complained about the cache": bool(AOT_LOG_ERROR.search(log)),
            "API status": status}


def cache_file(report: ImageReport, pattern: str = "*.aot") -> dict:
    """The AOT cache file in the image and the layer that added it."""
    found = files_matching(report, pattern)
    if not found:
        return {"cache": None, "bytes": 0}
    return {"cache": found[0]["path"], "bytes": found[0]["bytes"]}


def remove_images(tags: Iterable[str]) -> int:
    """Remove helper images this lab made (e.g. the compression trials); returns count."""
    removed = 0
    for tag in tags:
        if engine.image_exists(tag):
            engine.remove_image(tag)
            removed += 1
    return removed


# ---------------------------------------------------------------------------- views


def note(what: str) -> str:
    """`` (kit stand-in bases)`` for a catalog variant or a lab Dockerfile built on the kit."""
    from slimlab.variants import BY_NAME

    if what in BY_NAME:
        return stand_in_note(BY_NAME[what].path)
    return stand_in_note(DOCKERFILE)  # this lab's extra images share its bases


def _report(what: str) -> ImageReport:
    from slimlab.workbook import image

    return image(what)


def largest(what: str, n: int = 8) -> Table:
    """The biggest files in an image, in MB, with the share of the image each one is."""
    report = _report(what)
    rows = [{"path": r["path"], "MB": round(r["bytes"] / 1e6, 1),
             "share of image %": round(100 * r["bytes"] / (report.size_bytes or 1), 1)}
            for r in report.largest_files(n)]
    return table(rows, f"Largest files in {report.ref}{note(what)}")


def runtimes(images: dict[str, str]) -> Table:
    """Java runtime and image sizes side by side: ``{"label": variant or tag}``."""
    rows = []
    for label, what in images.items():
        report = _report(what)
        home = java_home(report)
        rows.append({"image": label, "tag": report.ref + note(what), "Java runtime at": home,
                     "runtime MB": round(report.bytes_under(home) / 1e6, 1),
                     "image MB": round(report.size_bytes / 1e6, 1),
                     "pull MB": round(report.pull_bytes / 1e6, 1)})
    return table(rows, "Java runtimes, measured in this run")


def kinds(what: str) -> Table:
    """What the runtime's bytes are, grouped (see ``by_kind``)."""
    report = _report(what)
    home = java_home(report)
    rows = [{**r, "MB": round(r.pop("bytes") / 1e6, 1)} for r in by_kind(report, home)]
    return table(rows, f"What {home} in {report.ref} is made of{note(what)}")


def verdict(case: dict) -> Markdown:
    """Which case this run met, shown as Markdown (``.data`` holds the text)."""
    from IPython.display import Markdown

    return Markdown(verdict_text(case))


def verdict_text(case: dict) -> str:
    """Which case this run met, in words, from ``debuginfo_case``'s measurements."""
    mb = case["debuginfo bytes"] / 1e6
    total = case["runtime bytes"] / 1e6
    if case["trap met"]:
        return (f"**Trap met on this JDK:** {case['debuginfo files']} `*.debuginfo` files hold "
                f"{mb:,.0f} MB of the {total:,.0f} MB runtime ({case['debuginfo share %']} %). "
                "`--strip-debug` removed the Java debug attributes but kept the native debug "
                "info that this JDK's jmods carry in separate files.")
    if case["debuginfo files"]:
        return (f"**Small trap on this JDK:** {case['debuginfo files']} `*.debuginfo` files, "
                f"{mb:,.1f} MB of a {total:,.0f} MB runtime: worth removing, not the cause of "
                "a big image.")
    return (f"**No trap on this JDK:** no `*.debuginfo` files in the {total:,.0f} MB runtime; "
            "`--strip-debug` did the whole job here. The fix below changes nothing on it, "
            "which is what a fix for another JDK should do.")


def module_view(computed: Sequence[str], handpicked: Sequence[str]) -> Table:
    """The modules each runtime holds (jlink resolves what the listed ones require)."""
    rows = [{"module": m, "jdeps list (runtime)": "✔" if m in computed else "",
             "typed by hand (runtime)": "✔" if m in handpicked else ""}
            for m in sorted(set(computed) | set(handpicked))]
    missing = [m for m in computed if m not in handpicked]
    return table(rows, f"Modules in each runtime: the hand-typed one lacks {len(missing)} "
                 f"({', '.join(missing)})")


def fails_at_startup(image: str, timeout: float = 120) -> bool:
    """Start an image once: True when it failed (a module missing from a hand-typed list
    shows only here), printing the app's summary or the error with its log."""
    from slimlab.workbook import run

    try:
        with run(image, timeout=timeout) as app:
            print(app.summary())
    except ContainerFailed as error:
        print(error)
        return True
    return False


def handpicked_modules(computed_stage: str, handpicked_stage: str,
                       handpicked_dockerfile: str = "Dockerfile.handpicked") -> Table:
    """Build the hand-typed Dockerfile's jlink stage as ``handpicked_stage``, then set its
    runtime's modules beside the jdeps-computed one's: which module the hand missed."""
    from slimlab.workbook import build

    build(dockerfile(handpicked_dockerfile), target="jlink", tag=handpicked_stage, lab=LAB,
          quiet=True)
    return module_view(runtime_modules(computed_stage), runtime_modules(handpicked_stage))


def aot_cost_row(aot: ImageReport, baseline: ImageReport, delivery: Delivery,
                 label: str = "bookshelf:aot") -> dict[str, Any]:
    """What the AOT cache costs in one row: its bytes, the image against the plain jar's,
    and what every code change rebuilds and pushes."""
    cache = cache_file(aot)
    return {"image": label,
            "AOT cache MB": round(cache["bytes"] / MB, 1),
            "image MB": round(aot.size_bytes / MB, 1),
            f"{baseline.ref} MB": round(baseline.size_bytes / MB, 1),
            "layers sent per code change": delivery.new_layers,
            "push per code change MB": round(delivery.push_bytes / MB, 1),
            "rebuild after the change s": round(delivery.warm.seconds, 1)}


def aot_cost(delivery: Delivery, what: str = "aot", baseline: str = "jre") -> Table:
    """The AOT cache's price, measured in this run (``delivery``: ``sl.delivery(what)``)."""
    aot = _report(what)
    row = aot_cost_row(aot, _report(baseline), delivery, label=aot.ref + note(what))
    return table([row], "What the AOT cache costs, measured in this run")


def compression_view(rows: Sequence[dict]) -> Table:
    shown = [{"--compress": r["compress"],
              "runtime on disk MB": round(r["runtime disk bytes"] / 1e6, 1),
              "runtime pulled MB": round(r["runtime pull bytes"] / 1e6, 1),
              "image MB": round(r["image disk bytes"] / 1e6, 1),
              "image pull MB": round(r["image pull bytes"] / 1e6, 1)} for r in rows]
    return table(shown, "One runtime, three compression levels, measured in this run"
                 + note("jlink"))


def compression_points(rows: Sequence[dict]) -> list[str]:
    """What compression bought, in words, from the measured rows (first row = no compression)."""
    base = rows[0]
    return [f"--compress={r['compress']} against {base['compress']}: the runtime is "
            f"{change(r['runtime disk bytes'], base['runtime disk bytes'])} on disk and "
            f"{change(r['runtime pull bytes'], base['runtime pull bytes'])} on the wire"
            for r in rows[1:]]


def change(new: float, old: float) -> str:
    """``38 % smaller`` / ``26 % bigger`` / ``the same``: new against old, in words."""
    percent = 100 * (new - old) / (old or 1)
    if abs(percent) < 0.5:
        return "the same size"
    return f"{abs(percent):.0f} % {'bigger' if percent > 0 else 'smaller'}"


def ratio(what: str, baseline: str) -> float:
    """An image's size over a baseline's, both measured now."""
    return _report(what).size_bytes / _report(baseline).size_bytes


def runtime_ratio(what: str, baseline: str) -> float:
    """An image's Java runtime bytes over a baseline image's Java runtime bytes."""
    return runtime_bytes(_report(what)) / runtime_bytes(_report(baseline))


def startup_ratio(rows: Sequence[dict], what: str, baseline: str) -> float:
    """Median time to ready of one variant over another's, from one ``sl.startup`` call."""
    by_name = {r["variant"]: r for r in rows}
    return by_name[what]["ready_s"] / by_name[baseline]["ready_s"]


# ---------------------------------------------------------------------------- summary

# Lab 04's closing table as data: (what, measured here, write-up) templates filled from
# ``SummaryFigures.values()``. The compression rows go between the two groups, one per level.
SUMMARY_TITLE = "Lab 04, measured in this run{kit}"
ROWS_BEFORE_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("modules jdeps computed", "{modules}", "11"),
    ("Java runtime: full JRE / first jlink / fixed jlink",
     "{full_jre_mb:,.0f} / {first_runtime_mb:,.0f} / {fixed_runtime_mb:,.0f} MB{kit}", ""),
    ("image: bookshelf:alpine → bookshelf:jlink",
     "{alpine_mb:,.0f} → {jlink_mb:,.0f} MB (pull {alpine_pull_mb:,.0f} → "
     "{jlink_pull_mb:,.0f} MB){kit}", "{writeup_alpine_mb} → {writeup_jlink_mb} MB"),
    ("first jlink image (with *.debuginfo)", "{first_image_mb:,.0f} MB{kit}", ""),
)
LEVEL_ROW = ("runtime with --compress={compress}: disk / pulled",
             "{disk_mb:.1f} / {pulled_mb:.1f} MB", "")
ROWS_AFTER_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("hand-typed module list", "{handpicked}", ""),
    ("time to ready: bookshelf:jre → bookshelf:aot (medians)",
     "{jre_ready_s:.2f} → {aot_ready_s:.2f} s ({aot_vs_jre:.2f} ×)", ""),
    ("AOT cache on disk / bytes pushed per code change (gzip)",
     "{cache_mb:.0f} MB / {push_mb:.0f} MB", ""),
)
POINT_MODULES = ("jdeps found {modules} modules in the app's own classes and libraries; the "
                 "build computes them every time, so nobody types (or forgets) one.")
POINT_TRAP = ("On this JDK, --strip-debug left {debuginfo_files} *.debuginfo files, "
              "{debuginfo_mb:,.0f} MB: the first runtime was {first_vs_jre:.1f} × the full JRE. "
              "Deleting them in the jlink stage made it {fixed_runtime_mb:,.0f} MB "
              "({fixed_vs_jre:.2f} × the JRE).")
POINT_NO_TRAP = ("This JDK's --strip-debug left no big debug files: the runtime was "
                 "{fixed_runtime_mb:,.0f} MB ({fixed_vs_jre:.2f} × the JRE) without a fix.")
POINT_IMAGE = ("bookshelf:jlink is {jlink_vs_alpine:.2f} × bookshelf:alpine ({jlink_mb:,.0f} MB)"
               "{kit}, runs as a non-root user and has no shell.")
POINT_COMPRESSION = ("--compress={strongest} against {plain}: the runtime is {disk_change} on "
                     "disk and {wire_change} on the wire: a registry gzips every layer anyway.")
POINT_HANDPICKED = ("A module missing from a hand-typed list is found only when the app starts "
                    "(NoClassDefFoundError), never by jlink.")
POINT_AOT = ("Spring AOT plus the JDK's AOT cache made the start {aot_speedup:.1f} × faster than "
             "the plain layered jar, for a {cache_mb:.0f} MB cache that every code change "
             "rebuilds ({rebuild_s:.0f} s here) and pushes again ({push_mb:.0f} MB compressed "
             "per change).")


@dataclass(frozen=True)
class SummaryFigures:
    """Every number lab 04's summary shows, in bytes and seconds as measured in this run;
    kept apart from the wording so the summary can be checked without an engine."""

    modules: int
    full_jre_bytes: int
    first_runtime_bytes: int
    fixed_runtime_bytes: int
    debuginfo_files: int
    debuginfo_bytes: int
    trap_met: bool
    alpine_bytes: int
    alpine_pull_bytes: int
    jlink_bytes: int
    jlink_pull_bytes: int
    first_image_bytes: int
    levels: tuple[dict, ...]  # ``compression`` rows, no compression first
    handpicked_failed: bool
    jre_ready_s: float
    aot_ready_s: float
    cache_bytes: int
    push_bytes: int
    rebuild_s: float
    writeup_alpine_mb: float | None = None
    writeup_jlink_mb: float | None = None
    kit: str = ""

    def values(self) -> dict[str, Any]:
        """The templates' named values: MB, ratios and words derived from the figures."""
        values: dict[str, Any] = {
            "kit": self.kit, "modules": self.modules,
            "full_jre_mb": self.full_jre_bytes / MB,
            "first_runtime_mb": self.first_runtime_bytes / MB,
            "fixed_runtime_mb": self.fixed_runtime_bytes / MB,
            "first_vs_jre": self.first_runtime_bytes / self.full_jre_bytes,
            "fixed_vs_jre": self.fixed_runtime_bytes / self.full_jre_bytes,
            "debuginfo_files": self.debuginfo_files, "debuginfo_mb": self.debuginfo_bytes / MB,
            "alpine_mb": self.alpine_bytes / MB, "alpine_pull_mb": self.alpine_pull_bytes / MB,
            "jlink_mb": self.jlink_bytes / MB, "jlink_pull_mb": self.jlink_pull_bytes / MB,
            "jlink_vs_alpine": self.jlink_bytes / self.alpine_bytes,
            "first_image_mb": self.first_image_bytes / MB,
            "writeup_alpine_mb": self.writeup_alpine_mb, "writeup_jlink_mb": self.writeup_jlink_mb,
            "handpicked": "failed at startup" if self.handpicked_failed
            else "started (unexpected)",
            "jre_ready_s": self.jre_ready_s, "aot_ready_s": self.aot_ready_s,
            "aot_vs_jre": self.aot_ready_s / self.jre_ready_s,
            "aot_speedup": self.jre_ready_s / self.aot_ready_s,
            "cache_mb": self.cache_bytes / MB, "push_mb": self.push_bytes / MB,
            "rebuild_s": self.rebuild_s,
        }
        if len(self.levels) > 1:
            plain, strongest = self.levels[0], self.levels[-1]
            values.update(
                plain=plain["compress"], strongest=strongest["compress"],
                disk_change=change(strongest["runtime disk bytes"], plain["runtime disk bytes"]),
                wire_change=change(strongest["runtime pull bytes"], plain["runtime pull bytes"]))
        return values


def _summary_row(template: tuple[str, str, str], values: dict[str, Any]) -> dict[str, str]:
    what, measured, writeup = (part.format_map(values) for part in template)
    return {"what": what, "measured here": measured, "write-up (its machine)": writeup}


def render_summary(figures: SummaryFigures) -> Summary:
    """Lab 04's closing table and key points: the templates above, filled from figures."""
    values = figures.values()
    rows = [_summary_row(t, values) for t in ROWS_BEFORE_LEVELS]
    rows += [_summary_row(LEVEL_ROW, {**values, "compress": level["compress"],
                                      "disk_mb": level["runtime disk bytes"] / MB,
                                      "pulled_mb": level["runtime pull bytes"] / MB})
             for level in figures.levels]
    rows += [_summary_row(t, values) for t in ROWS_AFTER_LEVELS]
    points = [POINT_MODULES, POINT_TRAP if figures.trap_met else POINT_NO_TRAP, POINT_IMAGE,
              *([POINT_COMPRESSION] if len(figures.levels) > 1 else []),
              POINT_HANDPICKED, POINT_AOT]
    return Summary(SUMMARY_TITLE.format_map(values), rows,
                   [p.format_map(values) for p in points])


def summary(*, modules: Sequence[str], case: dict, levels: Sequence[dict],
            starts: Sequence[dict], delivery: Delivery, handpicked_failed: bool,
            first: str = "bookshelf:jlink-debuginfo") -> Summary:
    """Lab 04's closing table and key points, every figure taken from this run."""
    from slimlab.report import WRITEUP

    alpine, jlink, aot = (_report(n) for n in ("alpine", "jlink", "aot"))
    by_name = {r["variant"]: r for r in starts}
    return render_summary(SummaryFigures(
        modules=len(modules), full_jre_bytes=runtime_bytes(alpine),
        first_runtime_bytes=case["runtime bytes"], fixed_runtime_bytes=runtime_bytes(jlink),
        debuginfo_files=case["debuginfo files"], debuginfo_bytes=case["debuginfo bytes"],
        trap_met=case["trap met"], alpine_bytes=alpine.size_bytes,
        alpine_pull_bytes=alpine.pull_bytes, jlink_bytes=jlink.size_bytes,
        jlink_pull_bytes=jlink.pull_bytes, first_image_bytes=_report(first).size_bytes,
        levels=tuple(levels), handpicked_failed=handpicked_failed,
        jre_ready_s=by_name["jre"]["ready_s"], aot_ready_s=by_name["aot"]["ready_s"],
        cache_bytes=cache_file(aot)["bytes"], push_bytes=delivery.push_bytes,
        rebuild_s=delivery.warm.seconds,
        writeup_alpine_mb=WRITEUP.get("alpine", {}).get("size_mb"),
        writeup_jlink_mb=WRITEUP.get("jlink", {}).get("size_mb"), kit=note("jlink")))


def plot_layers(what: str, dockerfile_name: str = "Dockerfile") -> Figure:
    """The image's layers as bars, the base image's marked "base:" (for this lab's extra
    images, which the catalog does not name)."""
    from slimlab import report as report_mod
    from slimlab.metrics.image import clean_instruction

    image = _report(what)
    n_base = base_rows(image, dockerfile(dockerfile_name))
    rows = [{"instruction": ("base: " if i <= n_base else "")
             + re.sub(r"\b([0-9a-f]{8})[0-9a-f]{24,}\b", r"\1…",
                      clean_instruction(h.get("CreatedBy", ""))),
             "size_bytes": h.get("Size", 0)}
            for i, h in enumerate(image.history, start=1) if h.get("Size", 0) > 0]
    return report_mod.plot_layers(rows, f"Layers of {image.ref}, "
                                  f"{image.size_bytes / 1e6:,.0f} MB in all\n{note(what).strip()}")

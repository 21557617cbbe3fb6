"""Lab 04 (04-jlink): the jlink runtime, its module list and what bloats it; the AOT cache.

Everything here measures images that ``sl.build`` made; nothing assumes a JDK vendor. The
module list is read from the build stage (``/jlink/modules.txt``, written by jdeps), the
runtime's bytes from the image's own layers, and a runtime's pull size from its layer's
gzip size, exactly as a registry would store it. What each JDK is (its build, its jmods,
whether it links from its run-time image) is read from the stage images too, because the
lab's sentences about a JDK must be facts of this run, not of the author's machine.
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
from slimlab.views import MB, Summary, Table, stand_in_note, table, tag_of

if TYPE_CHECKING:
    from IPython.display import Markdown
    from matplotlib.figure import Figure

    from slimlab.builder import BuildResult
    from slimlab.metrics.layers import LayerIndex
    from slimlab.workbook import Delivery

LAB = "04-jlink"
DOCKERFILE = "labs/04-jlink/Dockerfile"
# The same runtime linked with Debian's OpenJDK, whose jmods carry *.debuginfo files. (The
# file's name says which JDK, not what it brings: finding that is section 3's exercise.)
DEBIAN_DOCKERFILE = "Dockerfile.debian"
RUNTIME_DIR = "/runtime"  # where every jlink stage of this lab links its runtime
# The images this lab makes besides the catalog's: the jlink stage alone, Debian's JDK linking
# the same list (its stage, then the whole image) and the hand-typed module list.
STAGE_TAG = "bookshelf:jlink-stage"
DEBIAN_STAGE_TAG = "bookshelf:jlink-debian-stage"
DEBIAN_TAG = "bookshelf:jlink-debian"
HANDPICKED_TAG = "bookshelf:jlink-handpicked"
HANDPICKED_DOCKERFILE = "Dockerfile.handpicked"
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


def ensure_measured(names: Sequence[str]) -> list[str]:
    """Build lab 03's images when they are missing, and measure them (recorded for the
    scoreboard): this lab compares against them."""
    from slimlab import workbook

    tags = [workbook.ensure(name) for name in names]
    for name in names:
        workbook.measure(name)
    return tags


def build_extra(name: str, tag: str, target: str | None = None) -> str:
    """Build one of this lab's Dockerfiles (or a stage of it, ``target``) as ``tag``, with
    the profile's base images, not recorded as a variant; returns the tag."""
    from slimlab import workbook

    workbook.build(dockerfile(name), target=target, tag=tag, lab=LAB, record=False)
    return tag


def build_stage(tag: str = STAGE_TAG) -> str:
    """Build only the ``jlink`` stage of the lab's Dockerfile: it holds the list jdeps
    computed and the JDK that linked the runtime. Returns its tag."""
    return build_extra("Dockerfile", tag, target="jlink")


def build_debian_stage(tag: str = DEBIAN_STAGE_TAG) -> str:
    """Build the stage of ``Dockerfile.debian`` that ran Debian's ``jlink`` (``linked``):
    its runtime as linked, beside the JDK that linked it. Returns its tag."""
    return build_extra(DEBIAN_DOCKERFILE, tag, target="linked")


def build_debian(tag: str = DEBIAN_TAG) -> str:
    """Build the whole ``Dockerfile.debian`` image, with the learner's fix if any."""
    return build_extra(DEBIAN_DOCKERFILE, tag)


def build_handpicked(tag: str = HANDPICKED_TAG) -> str:
    """Build ``Dockerfile.handpicked``: a runtime of a module list typed by hand."""
    return build_extra(HANDPICKED_DOCKERFILE, tag)


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


def computed_modules(stage_image: str) -> list[str]:
    """``modules``, said in one line as well: the learner reads the list jlink received."""
    found = modules(stage_image)
    print(f"jdeps computed {len(found)} modules:", ", ".join(found))
    return found


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


def roots_view(stage_image: str) -> Table:
    """``jdeps_roots`` as a table: what jdeps read to compute the list."""
    return table([jdeps_roots(stage_image)], "What jdeps read")


# ---------------------------------------------------------------------------- runtimes


def _home_with(report: ImageReport, tool: str) -> str | None:
    """The directory whose ``bin/<tool>`` is a real file beside ``lib/modules``."""
    files = report.fs.files
    for path, (entry, _) in files.items():
        if path.endswith(f"/bin/{tool}") and entry.kind == "f":
            home = path[: -len(f"/bin/{tool}")]
            if home + "/lib/modules" in files:
                return "/" + home
    return None


def java_home(report: ImageReport) -> str:
    """The directory of the image's Java runtime: the one holding a real ``bin/java`` file
    beside ``lib/modules`` (``/opt/java``, ``/usr/lib/jvm/…``, ``/opt/java/openjdk``)."""
    home = _home_with(report, "java")
    if home is None:
        raise ContainerFailed(f"{report.ref} holds no Java runtime (no bin/java beside "
                              "lib/modules).")
    return home


def jdk_home(report: ImageReport) -> str:
    """The directory of the image's full JDK: the one whose ``bin/jlink`` is a real file
    (a runtime jlink linked for the app has no jlink, so a stage holding both is not
    ambiguous)."""
    home = _home_with(report, "jlink")
    if home is None:
        raise ContainerFailed(f"{report.ref} holds no JDK (no bin/jlink beside lib/modules).")
    return home


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


def bytes_of(report: ImageReport, pattern: str, under: str = "") -> int:
    """Total bytes of the files matching ``pattern`` (a file-name glob) in the image, or
    only under one directory (a stage image holds a JDK besides the runtime it linked)."""
    return sum(r["bytes"] for r in files_matching(report, pattern, under))


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


NO_ENDING = "(no dot in the name)"


def ending(name: str) -> str:
    """A file name's ending: from its last dot on (``libjvm.so`` -> ``.so``), or
    ``NO_ENDING`` (``modules``, ``java``, ``release``)."""
    stem, dot, last = name.rpartition(".")
    return f".{last}" if dot and stem else NO_ENDING


def by_ending(report: ImageReport, under: str, n: int = 8) -> list[dict]:
    """A runtime's files grouped by the ending of their names, biggest group first: the
    files, their bytes, their share of the runtime and the group's largest file. Only what
    the names say, no label on what the files are for: reading them is the learner's part."""
    prefix = under.strip("/") + "/"
    groups: dict[str, list[tuple[int, str]]] = {}
    for path, (entry, _) in report.fs.files.items():
        if entry.kind == "f" and path.startswith(prefix):
            groups.setdefault(ending(path.rsplit("/", 1)[-1]), []).append((entry.size,
                                                                             "/" + path))
    total = sum(size for files in groups.values() for size, _ in files) or 1
    rows: list[dict[str, Any]] = [
        {"ending": key, "files": len(files), "bytes": sum(size for size, _ in files),
         "share %": round(100 * sum(size for size, _ in files) / total, 1),
         "largest file": max(files)[1]}
        for key, files in groups.items()]
    return sorted(rows, key=lambda r: (-r["bytes"], r["ending"]))[:n]


def debuginfo_case(report: ImageReport, home: str | None = None) -> dict:
    """Which case this JDK is: does a ``--strip-debug`` runtime still carry debug files?
    ``home``: the runtime's directory (``/runtime`` in a stage image), else found."""
    home = home or java_home(report)
    debug = files_matching(report, "*.debuginfo", home)
    libjvm = files_matching(report, "libjvm.so", home)
    total = report.bytes_under(home)
    found = sum(r["bytes"] for r in debug)
    return {"runtime": home, "runtime bytes": total, "debuginfo files": len(debug),
            "debuginfo bytes": found, "debuginfo share %": round(100 * found / (total or 1), 1),
            "libjvm.so bytes": libjvm[0]["bytes"] if libjvm else None,
            "trap met": found > 0.25 * total}


# ---------------------------------------------------------------------------- the JDKs

# One container per stage answers every question about its JDK: the release file, jlink's
# capabilities (JEP 493 prints "Linking from run-time image enabled"), where objcopy is, and
# how many *.debuginfo files its jmods hold (they are zip files: only jmod can list them).
JDK_PROBE = ('cat "$1/release"; echo "--- jlink"; "$1/bin/jlink" --help 2>&1; '
             'echo "--- objcopy"; command -v objcopy || echo missing; echo "--- jmods"; '
             'for f in "$1"/jmods/*.jmod; do [ -e "$f" ] && "$1/bin/jmod" list "$f"; done '
             '2>/dev/null | grep -c "[.]debuginfo$" || true')


def parse_jdk_probe(text: str) -> dict[str, Any]:
    """The probe's output as facts: the JDK build, whether its jlink links from the
    run-time image ("yes"/"no"/"not said": a JDK before 24 prints no such line), objcopy's
    path (or "missing") and the ``*.debuginfo`` files inside its jmods."""
    release, _, rest = text.partition("--- jlink")
    helptext, _, rest = rest.partition("--- objcopy")
    objcopy, _, in_jmods = rest.partition("--- jmods")
    count = re.findall(r"^\s*(\d+)\s*$", in_jmods, re.MULTILINE)
    pairs = (line.split("=", 1) for line in release.splitlines() if "=" in line)
    facts = {k.strip(): v.strip().strip('"') for k, v in pairs}
    capability = re.search(r"Linking from run-time image (enabled|disabled)", helptext)
    return {"build": facts.get("IMPLEMENTOR_VERSION") or facts.get("IMPLEMENTOR", "?"),
            "version": facts.get("JAVA_RUNTIME_VERSION") or facts.get("JAVA_VERSION", "?"),
            "runtime linking": {"enabled": "yes", "disabled": "no"}[capability.group(1)]
            if capability else "not said",
            "objcopy": (objcopy.strip().splitlines() or ["missing"])[-1],
            "debuginfo in jmods": int(count[-1]) if count else 0}


def jdk_facts(stage_image: str, label: str) -> dict[str, Any]:
    """What the JDK that linked a stage's runtime is, measured in the stage image: its
    build, its jmods and ``*.debuginfo`` files (from the image's files) and what its jlink
    and the image say (from one short-lived container)."""
    report = inspect(stage_image)
    home = jdk_home(report)
    jmods = files_matching(report, "*.jmod", home)
    debug = files_matching(report, "*.debuginfo", home)
    code, text = output(stage_image, ["sh", "-c", JDK_PROBE, "sh", home])
    if code != 0:
        raise ContainerFailed(f"Could not ask the JDK in {stage_image} about itself.", log=text)
    probe = parse_jdk_probe(text)
    return {"JDK": label, "build": f"{probe['build']} ({probe['version']})",
            "JDK home": home, "jmods": len(jmods),
            "jmods MB": round(sum(r["bytes"] for r in jmods) / 1e6, 1),
            "*.debuginfo files in its jmods": probe["debuginfo in jmods"],
            "*.debuginfo files in its folders": len(debug),
            "links from its run-time image (JEP 493)": probe["runtime linking"],
            "objcopy (for --strip-debug)": probe["objcopy"]}


# ``jdk_facts`` columns that name the answer of section 3's pattern exercise: ``jdk_view``
# (shown before it) leaves them out, ``jmods_view`` (after its checkpoint) shows them.
DEBUG_FILE_COLUMNS = ("*.debuginfo files in its jmods", "*.debuginfo files in its folders")


def jdk_view(*rows: dict) -> Table:
    """``jdk_facts`` rows as a table: the JDK (or JDKs) that linked this lab's runtimes,
    without the counts of debug files (``jmods_view``)."""
    caption = ("The JDK in the jlink stage, measured in this run" if len(rows) == 1
               else "The JDKs that link this lab's runtimes, measured in this run")
    shown = [{k: v for k, v in row.items() if k not in DEBUG_FILE_COLUMNS} for row in rows]
    return table(shown, caption + note("jlink"))


def jmods_view(*rows: dict) -> Table:
    """Where a runtime's ``*.debuginfo`` files come from: each JDK's jmods and the debug
    files in them and in its folders (``jdk_facts`` rows)."""
    keys = ("JDK", "jmods", "jmods MB", *DEBUG_FILE_COLUMNS)
    return table([{k: row.get(k) for k in keys} for row in rows],
                 "Where the *.debuginfo files come from: the JDKs, measured in this run"
                 + note("jlink"))


# ---------------------------------------------------------------------------- --strip-debug


def build_with(args: dict[str, str], tag: str, *, dockerfile: str = DOCKERFILE,
               quiet: bool = True) -> BuildResult:
    """Build a lab Dockerfile with the profile's base images plus build arguments ``args``
    (``JLINK_COMPRESS``, ``JLINK_STRIP``), as a measuring trial tagged ``tag``."""
    from slimlab import config
    from slimlab.builder import build_image
    from slimlab.workbook import base_args

    path = config.workbook_root() / dockerfile
    buildargs = {r.arg: r.image for r in base_args(path)}
    buildargs.update(args)
    return build_image(path, tag, buildargs=buildargs, lab=LAB, quiet=quiet)


def strip_row(report: ImageReport, label: str) -> dict[str, Any]:
    """One runtime in bytes: in all, its module image, its native libraries, its image."""
    home = java_home(report)
    native = sum(r["bytes"] for r in files_matching(report, "*.so", home))
    modules_file = files_matching(report, "modules", home + "/lib")
    return {"jlink": label, "tag": report.ref, "runtime bytes": report.bytes_under(home),
            "module image bytes": sum(r["bytes"] for r in modules_file),
            "native library bytes": native, "image bytes": report.size_bytes}


def strip_debug(what: str = "jlink", without: str = "bookshelf:jlink-nostrip") -> list[dict]:
    """Measure what ``--strip-debug`` does on the Maven image's JDK: the lab's image (with
    it) against the same Dockerfile built with ``JLINK_STRIP=""`` (without it)."""
    result = build_with({"JLINK_STRIP": ""}, without)
    return [strip_row(inspect(result.tag), "without --strip-debug"),
            strip_row(_report(what), "with --strip-debug")]


def strip_view(rows: Sequence[dict]) -> Table:
    shown = [{"jlink": r["jlink"], "runtime MB": round(r["runtime bytes"] / 1e6, 1),
              "lib/modules MB": round(r["module image bytes"] / 1e6, 1),
              "native libraries (*.so) MB": round(r["native library bytes"] / 1e6, 1),
              "image MB": round(r["image bytes"] / 1e6, 1)} for r in rows]
    return table(shown, "One runtime without and with --strip-debug, measured in this run"
                 + note("jlink"))


def _bullets(points: Iterable[str]) -> Markdown:
    """Sentences as a Markdown list (``.data`` holds the text)."""
    from IPython.display import Markdown

    return Markdown("\n".join(f"- {point}" for point in points))


def strip_notes(rows: Sequence[dict]) -> Markdown:
    """``strip_points`` as a list to read under the table."""
    return _bullets(strip_points(rows))


def strip_points(rows: Sequence[dict]) -> list[str]:
    """What ``--strip-debug`` changed, in words, from ``strip_debug``'s rows (without first)."""
    without, with_ = rows[0], rows[-1]
    return [f"{label}: {change(with_[key], without[key])} with --strip-debug "
            f"({without[key] / 1e6:,.1f} → {with_[key] / 1e6:,.1f} MB)"
            for label, key in (("the runtime", "runtime bytes"),
                               ("its module image (lib/modules)", "module image bytes"),
                               ("its native libraries", "native library bytes"))]


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
    return build_with({"JLINK_COMPRESS": level}, tag or f"bookshelf:jlink-{level}",
                      dockerfile=dockerfile, quiet=quiet)


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
    """Disk and pull size of the runtime per ``--compress`` level (MB), side by side; the
    title says when the bases are kit stand-ins."""
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
    ax.set_title(title or "The jlink runtime per --compress level" + note("jlink"))
    ax.legend(fontsize=8)
    ax.margins(y=0.15)
    return figure


# ---------------------------------------------------------------------------- AOT


def aot_evidence(image: str) -> dict:
    """Start the AOT image once and read what its log proves: Spring ran its AOT-generated
    code, and whether the JVM complained about the cache (``unusable_cache`` tests whether
    a cache it cannot use stops it)."""
    from slimlab.workbook import run

    with run(image) as app:
        log = app.container.logs().decode(errors="replace")
        status, _ = app.get("/api/books?size=1")
    return {"image": image, "ready s": round(app.ready_seconds, 2),
            "Spring ran AOT-processed code": "Starting AOT-processed" in log,
            "JVM complained about the cache": bool(AOT_LOG_ERROR.search(log)),
            "API status": status}


AOT_CACHE_OPTION = re.compile(r"-XX:AOTCache=(\S+)")
NOT_A_CACHE = b"This file is not an AOT cache: Slimlab put it here to test the image.\n"


def cache_path(config: dict) -> str:
    """Where the image's start looks for its AOT cache: the ``-XX:AOTCache=`` path of its
    ENTRYPOINT, CMD or environment (``JAVA_TOOL_OPTIONS``…), made absolute against its
    working directory; ``/app/app.aot`` (where the training run writes it) when none."""
    words = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or []),
             *(config.get("Env") or [])]
    found = next((m.group(1) for w in words for m in [AOT_CACHE_OPTION.search(w)] if m), None)
    path = found or "app.aot"
    return path if path.startswith("/") else f"{config.get('WorkingDir') or '/app'}/{path}"


def _tar_of(name: str, data: bytes) -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o644
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unusable_cache(what: str = "aot", timeout: float = 120) -> dict[str, Any]:
    """Start the image once with its AOT cache replaced by a file that is no cache, as a
    cache from another JDK build or another jar would be rejected: does the JVM refuse to
    start (the image's command makes a rejected cache fatal), or start without the cache
    and say nothing? The container is created, the file put in, then started; it goes on
    every path. Prints one line; returns the facts (``refused`` is the checkpoint's)."""
    import time
    import uuid

    tag = tag_of(what)
    path = cache_path(engine.inspect_image(tag).get("Config") or {})
    folder, name = path.rsplit("/", 1)
    container_name = f"slimlab-{uuid.uuid4().hex[:12]}"
    code: int | None = None
    started_app = False
    try:
        container = engine.create_container(
            tag, name=container_name, labels=engine.labels(LAB, owner=containers._owner()))
        container.put_archive(folder or "/", _tar_of(name, NOT_A_CACHE))
        started = time.monotonic()
        engine.start_container(container)
        while time.monotonic() - started < timeout:
            container.reload()
            if container.status in ("exited", "dead"):
                code = container.attrs["State"].get("ExitCode")
                break
            if containers.STARTED_RE.search(container.logs().decode(errors="replace")):
                started_app = True
                break
            time.sleep(0.2)
        log = container.logs().decode(errors="replace")
    finally:
        engine.remove_container(container_name)
    return unusable_cache_facts(tag, path, code, started_app, log)


def unusable_cache_facts(tag: str, path: str, code: int | None, started_app: bool,
                         log: str) -> dict[str, Any]:
    """``unusable_cache``'s outcome in words, from the exit code (None: still running),
    whether Spring said it started, and the log; prints one line."""
    said = [line.strip() for line in log.splitlines()
            if "AOT cache" in line or "initialization of VM" in line]
    refused = code not in (None, 0) and bool(said)
    outcome = ("refused to start" if refused
               else "started without its cache" if started_app
               else f"exited with {code}, not about the cache" if code is not None
               else "neither refused nor started in time")
    facts = {"image": tag, "cache replaced": path, "outcome": outcome, "exit code": code,
             "the JVM said": said[-1] if said else "", "refused": refused}
    print(f"{tag}, its {path} replaced by a file that is no AOT cache: {outcome}"
          + (f" (exit {code}: {facts['the JVM said']})" if refused else "") + ".")
    return facts


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


def trial_tags(strip: Sequence[dict], levels: Sequence[dict],
               keep: str = "bookshelf:jlink") -> list[str]:
    """The images only measuring needed: the stages (computed list, Debian's, hand-typed)
    and the trials of ``strip_debug`` and ``compression``; never ``keep``, the lab's image
    (a compression level may be measured on it), nor the images the summary reads."""
    trials = [row["tag"] for row in (*strip[:1], *levels) if row["tag"] != keep]
    return [STAGE_TAG, DEBIAN_STAGE_TAG, handpicked_stage(HANDPICKED_TAG), *trials]


def remove_trials(strip: Sequence[dict], levels: Sequence[dict]) -> int:
    """Remove the images of ``trial_tags`` once the summary is shown; returns the count."""
    return remove_images(trial_tags(strip, levels))


# ---------------------------------------------------------------------------- views


def note(what: str) -> str:
    """`` (kit stand-in bases)`` for a catalog variant or a lab Dockerfile built on the kit."""
    from slimlab.variants import BY_NAME

    if what in BY_NAME:
        return stand_in_note(BY_NAME[what].path)
    if "debian" in what:  # the Debian-JDK images: Dockerfile.debian's bases
        return stand_in_note(dockerfile(DEBIAN_DOCKERFILE))
    return stand_in_note(DOCKERFILE)  # this lab's other extra images share its bases


def _report(what: str) -> ImageReport:
    from slimlab.workbook import image

    return image(what)


def _where(what: str, under: str | None) -> str:
    return f"{under} in {what}" if under else what


def largest(what: str, n: int = 8, under: str | None = None) -> Table:
    """The biggest files in an image (or under one directory of it, ``under``), in MB,
    with the share of the image each one is."""
    report = _report(what)
    found = (files_matching(report, "*", under)[:n] if under else report.largest_files(n))
    rows = [{"path": r["path"], "MB": round(r["bytes"] / 1e6, 1),
             "share of image %": round(100 * r["bytes"] / (report.size_bytes or 1), 1)}
            for r in found]
    return table(rows, f"Largest files in {_where(report.ref, under)}{note(what)}")


def runtimes(images: dict[str, str | tuple[str, str]]) -> Table:
    """Java runtime and image sizes side by side: ``{"label": variant or tag}``, or
    ``{"label": (stage image, "/runtime")}`` for a runtime still in its jlink stage (its
    image figures then include the JDK that linked it)."""
    rows = []
    for label, given in images.items():
        what, home = given if isinstance(given, tuple) else (given, None)
        report = _report(what)
        home = home or java_home(report)
        rows.append({"image": label, "tag": report.ref + note(what), "Java runtime at": home,
                     "runtime MB": round(report.bytes_under(home) / 1e6, 1),
                     "image MB": round(report.size_bytes / 1e6, 1),
                     "pull MB": round(report.pull_bytes / 1e6, 1)})
    return table(rows, "Java runtimes, measured in this run")


def jlink_vs_jre(what: str = "jlink", baseline: str = "alpine") -> Table:
    """The lab's runtime beside the full JRE of lab 03's smallest image."""
    return runtimes({"full JRE (lab 03, alpine)": baseline, "jlink runtime": what})


def full_jre(baseline: str = "alpine") -> Table:
    """The full JRE of lab 03's smallest image alone: the figure to predict against."""
    return runtimes({"full JRE (lab 03, alpine)": baseline})


def debian_as_linked(stage_image: str, what: str = "jlink", baseline: str = "alpine") -> Table:
    """The runtime Debian's JDK linked, still in its stage, beside the full JRE and the
    runtime the Maven image's JDK linked from the same module list."""
    return runtimes({"full JRE (lab 03, alpine)": baseline,
                     "jlink, the Maven image's JDK": what,
                     "jlink, Debian's OpenJDK (stage, as linked)": (stage_image, RUNTIME_DIR)})


def debian_fixed(stage_image: str, fixed: str, baseline: str = "alpine") -> Table:
    """Debian's runtime as linked beside the one the image ships after the learner's fix."""
    return runtimes({"full JRE (lab 03, alpine)": baseline,
                     "Debian's OpenJDK, as linked": (stage_image, RUNTIME_DIR),
                     f"Debian's OpenJDK, in {fixed}": fixed})


@dataclass(frozen=True)
class Ratios:
    """An image against a baseline: its Java runtime's bytes and its own, as ratios."""

    runtime: float
    image: float


def ratios(what: str, baseline: str) -> Ratios:
    """``runtime_ratio`` and ``ratio`` at once: the two figures the size checkpoints read."""
    return Ratios(runtime_ratio(what, baseline), ratio(what, baseline))


@dataclass(frozen=True)
class FinalImage:
    """What the final image holds that it must not, and the user it runs as."""

    tag: str
    non_root: bool  # the configured user is neither empty nor root (name or uid 0)
    leftovers: tuple[str, ...]  # the first path found of each kind that must be absent

    @property
    def found(self) -> str:
        """The first leftovers in words, for a hint: ``/bin/sh, /usr/bin/javac`` or
        ``nothing``."""
        return ", ".join(self.leftovers[:3]) or "nothing"


def final_image(what: str) -> FinalImage:
    """Read the image's user and what it holds against the catalog (no container)."""
    from slimlab.views import leftovers, non_root

    return FinalImage(tag_of(what), non_root(what), tuple(leftovers(what)))


def kinds(what: str, under: str | None = None) -> Table:
    """What the runtime's bytes are, grouped and named (see ``by_kind``); ``under``: the
    runtime's directory in a stage image, else the image's Java runtime. It names the
    answer of the pattern exercise: shown only after its checkpoint (``endings`` before)."""
    report = _report(what)
    home = under or java_home(report)
    rows = [{"what": r["what"], "files": r["files"], "MB": round(r["bytes"] / 1e6, 1),
             "share %": r["share %"]} for r in by_kind(report, home)]
    return table(rows, f"What {home} in {report.ref} is made of{note(what)}")


def endings(what: str, under: str | None = None) -> Table:
    """The runtime's files grouped by the ending of their names (see ``by_ending``), in MB:
    the tool of the pattern exercise, which names no kind of file."""
    report = _report(what)
    home = under or java_home(report)
    rows = [{"ending": r["ending"], "files": r["files"], "MB": round(r["bytes"] / 1e6, 1),
             "share %": r["share %"], "largest file": r["largest file"]}
            for r in by_ending(report, home)]
    return table(rows, f"The files of {home} in {report.ref}, grouped by the ending of their "
                 f"names{note(what)}")


# Files every JVM start reads: a pattern that matches one of them names what the runtime
# needs, not what bloats it.
LOADED_AT_EVERY_START = ("modules", "libjvm.so")
SHARE = "share of the runtime %"
UNLOADED_SHARE = "share of the runtime no JVM start loads %"


def pattern_share(what: str, pattern: str, under: str = RUNTIME_DIR) -> dict[str, Any]:
    """How much of a runtime the files matching ``pattern`` are: ``SHARE``, all of them,
    and ``UNLOADED_SHARE``, the same figure only when the pattern matches none of the files
    every JVM start loads (``lib/modules``, ``libjvm.so``), else 0: a pattern such as ``*``
    or ``*.so`` names what the runtime needs, not what bloats it. The pattern exercise's
    checkpoint reads ``UNLOADED_SHARE``."""
    report = _report(what)
    found = files_matching(report, pattern, under)
    total = report.bytes_under(under)
    found_bytes = sum(r["bytes"] for r in found)
    loaded = sorted({r["path"].rsplit("/", 1)[-1] for r in found} & set(LOADED_AT_EVERY_START))
    share = round(100 * found_bytes / (total or 1), 1)
    return {"pattern": pattern, "under": under, "files": len(found),
            "MB": round(found_bytes / 1e6, 1), "runtime MB": round(total / 1e6, 1),
            SHARE: share, "matches files every JVM start loads": ", ".join(loaded) or "no",
            UNLOADED_SHARE: 0.0 if loaded else share}


def debian_case(stage_image: str, home: str = RUNTIME_DIR) -> dict:
    """``debuginfo_case`` of the runtime as Debian's jlink left it, in its stage image."""
    return debuginfo_case(_report(stage_image), home)


def startup_text(rows: Sequence[dict], what: str = "aot", baseline: str = "jre") -> str:
    """The measured speed-up in words: the medians and their ratio, never "several times"."""
    by_name = {r["variant"]: r for r in rows}
    fast = (by_name.get(what) or {}).get("ready_s")
    slow = (by_name.get(baseline) or {}).get("ready_s")
    if not fast or not slow:
        return f"bookshelf:{what} and bookshelf:{baseline} were not both measured in this run."
    ratio = slow / fast
    words = (f"{ratio:.1f} × faster" if ratio >= 1 else f"{1 / ratio:.1f} × slower")
    return (f"bookshelf:{what} was ready in {fast:.2f} s, bookshelf:{baseline} in {slow:.2f} s "
            f"(medians): {words} in this run.")


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
                "info that this JDK's jmods carry in separate files, and jlink copied them.")
    if case["debuginfo files"]:
        return (f"**Small trap on this JDK:** {case['debuginfo files']} `*.debuginfo` files, "
                f"{mb:,.1f} MB of a {total:,.0f} MB runtime: worth removing, not the cause of "
                "a big image.")
    return (f"**No trap on this JDK:** no `*.debuginfo` files in the {total:,.0f} MB runtime; "
            "`--strip-debug` did the whole job here, and deleting `*.debuginfo` files "
            "changes nothing on it.")


def module_view(computed: Sequence[str], handpicked: Sequence[str]) -> Table:
    """The modules each runtime holds (jlink resolves what the listed ones require)."""
    rows = [{"module": m, "jdeps list (runtime)": "✔" if m in computed else "",
             "typed by hand (runtime)": "✔" if m in handpicked else ""}
            for m in sorted(set(computed) | set(handpicked))]
    missing = [m for m in computed if m not in handpicked]
    return table(rows, f"Modules in each runtime: the hand-typed one lacks {len(missing)} "
                 f"({', '.join(missing)})")


def failure_lines(error: ContainerFailed) -> list[str]:
    """The lines of a failed start that matter: what happened, the log line that names
    the cause (a missing platform class first, else the first error or exception) and what
    to do; never the whole stack trace."""
    from slimlab.containers import PLATFORM_CLASS_MISSING

    log = [line.strip() for line in error.log.splitlines() if line.strip()]
    cause = (next((line for line in log if PLATFORM_CLASS_MISSING.search(line)), None)
             or next((line for line in log if re.search(r"Error|Exception", line)), None))
    return [error.message, *([f"The log says: {cause}"] if cause else []),
            *([f"What to do: {error.hint}"] if error.hint else [])]


def fails_at_startup(image: str, timeout: float = 120) -> bool:
    """Start an image once: True when it failed (a module missing from a hand-typed list
    shows only here), printing the app's summary or the few lines of the error that
    matter (``failure_lines``)."""
    from slimlab.workbook import run

    try:
        with run(image, timeout=timeout) as app:
            print(app.summary())
    except ContainerFailed as error:
        print("\n".join(failure_lines(error)))
        return True
    return False


def handpicked_stage(handpicked: str) -> str:
    """The tag of the hand-typed image's jlink stage: the image's tag + ``-stage``."""
    return f"{handpicked}-stage"


def handpicked_modules(computed_stage: str, handpicked: str = HANDPICKED_TAG,
                       handpicked_dockerfile: str = HANDPICKED_DOCKERFILE) -> Table:
    """Build the hand-typed Dockerfile's jlink stage (``handpicked_stage``), then set its
    runtime's modules beside the jdeps-computed one's: which module the hand missed."""
    from slimlab.workbook import build

    stage = handpicked_stage(handpicked)
    build(dockerfile(handpicked_dockerfile), target="jlink", tag=stage, lab=LAB, quiet=True)
    return module_view(runtime_modules(computed_stage), runtime_modules(stage))


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
    return table(shown, f"One runtime, {len(shown)} compression levels, measured in this run"
                 + note("jlink"))


def compression_notes(rows: Sequence[dict]) -> Markdown:
    """``compression_points`` as a list to read under the plot."""
    return _bullets(compression_points(rows))


def compression_points(rows: Sequence[dict]) -> list[str]:
    """What compression bought, in words, from the measured rows (first row = no
    compression), and which level to ship, concluded from the same columns."""
    base = rows[0]
    points = [f"--compress={r['compress']} against {base['compress']}: the runtime is "
              f"{change(r['runtime disk bytes'], base['runtime disk bytes'])} on disk and "
              f"{change(r['runtime pull bytes'], base['runtime pull bytes'])} on the wire"
              for r in rows[1:]]
    return points + ([compression_choice(base, rows[-1])] if len(rows) > 1 else [])


def compression_choice(plain: dict, strongest: dict) -> str:
    """Which level to ship, from the runtime's disk and pull bytes at no compression and
    at the strongest level measured: a machine pulls the image once and keeps it on disk."""
    level, none = f"--compress={strongest['compress']}", f"--compress={plain['compress']}"
    saved = (plain["runtime disk bytes"] - strongest["runtime disk bytes"]) / MB
    extra = (strongest["runtime pull bytes"] - plain["runtime pull bytes"]) / MB
    same_disk = abs(saved) < 0.005 * plain["runtime disk bytes"] / MB
    same_wire = abs(extra) < 0.005 * plain["runtime pull bytes"] / MB
    if same_disk or saved < 0:
        return f"Which to ship: {none}. {level} saved no disk here, and every class it " \
               "compresses is inflated again at each start."
    if same_wire or extra < 0:
        return f"Which to ship: {level}. It saved {saved:,.1f} MB on disk and cost nothing " \
               "on the wire here; the JVM inflates the classes it loads at each start."
    return (f"Which to ship: it depends on what is scarce. Each machine that runs the image "
            f"pulls it once and keeps it: {level} saves {saved:,.1f} MB of its disk and costs "
            f"{extra:,.1f} MB more on every pull (a registry's gzip squeezes uncompressed "
            f"classes better), and the JVM inflates every class it loads. Ship {none} where "
            "images are pulled often (nodes that scale out, CI runners, slow links), "
            f"{level} where disk space is what runs out.")


def change(new: float, old: float) -> str:
    """``38 % smaller`` / ``26 % bigger`` / ``the same``: new against old, in words."""
    percent = 100 * (new - old) / (old or 1)
    if abs(percent) < 0.5:
        return "the same size"
    return f"{abs(percent):.0f} % {'bigger' if percent > 0 else 'smaller'}"


def ratio(what: str, baseline: str) -> float:
    """An image's size over a baseline's, both measured now."""
    return _report(what).size_bytes / _report(baseline).size_bytes


def runtime_mb(what: str) -> float:
    """An image's Java runtime in MB (the figure a prediction is compared with)."""
    return runtime_bytes(_report(what)) / 1e6


def runtime_ratio(what: str, baseline: str) -> float:
    """An image's Java runtime bytes over a baseline image's Java runtime bytes."""
    return runtime_bytes(_report(what)) / runtime_bytes(_report(baseline))


def startup_ratio(rows: Sequence[dict], what: str, baseline: str) -> float:
    """Median time to ready of one variant over another's, from one ``sl.startup`` call."""
    by_name = {r["variant"]: r for r in rows}
    return by_name[what]["ready_s"] / by_name[baseline]["ready_s"]


def speedup(rows: Sequence[dict], what: str, baseline: str) -> float:
    """How many times faster ``what`` was ready than ``baseline`` (2: twice as fast)."""
    return 1 / startup_ratio(rows, what, baseline)


def startup_view(rows: Sequence[dict], what: str = "aot") -> Table:
    """``sl.startup``'s rows as a table, marked when ``what`` stands on kit bases."""
    return table(rows, "Time to ready, measured in this run" + note(what))


def aot_evidence_view(evidence: dict) -> Table:
    """``aot_evidence`` as a one-row table."""
    what = str(evidence["image"])
    return table([evidence], f"One start of {tag_of(what)}, read from its log{note(what)}")


# ---------------------------------------------------------------------------- summary

# Lab 04's closing table as data: (what, measured here, write-up) templates filled from
# ``SummaryFigures.values()``. The compression rows go between the two groups, one per level.
SUMMARY_TITLE = "Lab 04, measured in this run{kit}"
ROWS_BEFORE_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("modules jdeps computed", "{modules}", "11"),
    ("the Maven image's JDK: build / jmods / links from its run-time image",
     "{jdk_build} / {jdk_jmods} / {jdk_runtime_linking}", ""),
    ("Java runtime: full JRE / jlink without --strip-debug / with it",
     "{full_jre_mb:,.0f} / {nostrip_runtime_mb:,.0f} / {jlink_runtime_mb:,.0f} MB{kit}", ""),
    ("image: bookshelf:alpine → bookshelf:jlink",
     "{alpine_mb:,.0f} → {jlink_mb:,.0f} MB (pull {alpine_pull_mb:,.0f} → "
     "{jlink_pull_mb:,.0f} MB){kit}", "{writeup_alpine_mb} → {writeup_jlink_mb} MB"),
    ("Debian's OpenJDK: runtime as linked → in bookshelf:jlink-debian (*.debuginfo)",
     "{debian_first_mb:,.0f} → {debian_fixed_mb:,.0f} MB ({debuginfo_files} files, "
     "{debuginfo_mb:,.0f} MB){kit}", ""),
)
LEVEL_ROW = ("runtime with --compress={compress}: disk / pulled",
             "{disk_mb:.1f} / {pulled_mb:.1f} MB", "")
ROWS_AFTER_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("hand-typed module list", "{handpicked}", ""),
    ("time to ready: bookshelf:jre / bookshelf:jlink / bookshelf:aot (medians)",
     "{jre_ready_s:.2f} / {jlink_ready} / {aot_ready_s:.2f} s (aot: {aot_vs_jre:.2f} × jre)",
     ""),
    ("AOT cache on disk / bytes pushed per code change (gzip)",
     "{cache_mb:.0f} MB / {push_mb:.0f} MB", ""),
)
POINT_MODULES = ("jdeps found {modules} modules in the app's own classes and libraries; the "
                 "build computes them every time, so nobody types (or forgets) one.")
POINT_STRIP = ("The Maven image's JDK ({jdk_build}) has {jdk_jmods_words} and {jdk_links}; "
               "with it --strip-debug made the runtime {strip_change} ({nostrip_runtime_mb:,.0f}"
               " → {jlink_runtime_mb:,.0f} MB, {jlink_vs_jre:.2f} × the full JRE).")
POINT_TRAP = ("With Debian's OpenJDK, --strip-debug left {debuginfo_files} *.debuginfo files, "
              "{debuginfo_mb:,.0f} MB: its runtime was {debian_first_vs_jre:.1f} × the full "
              "JRE. Deleting them in the jlink stage made it {debian_fixed_mb:,.0f} MB "
              "({debian_fixed_vs_jre:.2f} × the JRE).")
POINT_TRAP_UNFIXED = ("With Debian's OpenJDK, --strip-debug left {debuginfo_files} *.debuginfo "
                      "files, {debuginfo_mb:,.0f} MB: its runtime was "
                      "{debian_first_vs_jre:.1f} × the full JRE, and bookshelf:jlink-debian "
                      "still ships {debian_fixed_mb:,.0f} MB of runtime: the fix (section 4's "
                      "exercise) is not in Dockerfile.debian yet.")
POINT_NO_TRAP = ("Debian's OpenJDK left no big debug files in this run: its runtime was "
                 "{debian_first_mb:,.0f} MB as linked ({debian_first_vs_jre:.2f} × the JRE) "
                 "and {debian_fixed_mb:,.0f} MB in bookshelf:jlink-debian.")
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
    jdk_build: str  # the Maven image's JDK, from its release file
    jdk_jmods: int  # its jmods files (0: no jmods folder)
    jdk_runtime_linking: str  # "yes"/"no"/"not said", from its jlink --help
    full_jre_bytes: int
    nostrip_runtime_bytes: int
    jlink_runtime_bytes: int
    debian_first_runtime_bytes: int
    debian_fixed_runtime_bytes: int
    debuginfo_files: int
    debuginfo_bytes: int
    trap_met: bool
    alpine_bytes: int
    alpine_pull_bytes: int
    jlink_bytes: int
    jlink_pull_bytes: int
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
    jlink_ready_s: float | None = None  # None: bookshelf:jlink's start was not measured

    def values(self) -> dict[str, Any]:
        """The templates' named values: MB, ratios and words derived from the figures."""
        jre = self.full_jre_bytes
        values: dict[str, Any] = {
            "kit": self.kit, "modules": self.modules,
            "jdk_build": self.jdk_build, "jdk_jmods": self.jdk_jmods,
            "jdk_jmods_words": f"{self.jdk_jmods} jmods" if self.jdk_jmods else "no jmods",
            "jdk_runtime_linking": self.jdk_runtime_linking,
            "jdk_links": {"yes": "its jlink links from its run-time image (JEP 493)",
                          "no": "its jlink links from jmods only"}.get(
                              self.jdk_runtime_linking,
                              "its jlink says nothing about linking from its run-time image"),
            "full_jre_mb": jre / MB,
            "nostrip_runtime_mb": self.nostrip_runtime_bytes / MB,
            "jlink_runtime_mb": self.jlink_runtime_bytes / MB,
            "jlink_vs_jre": self.jlink_runtime_bytes / jre,
            "strip_change": change(self.jlink_runtime_bytes, self.nostrip_runtime_bytes),
            "debian_first_mb": self.debian_first_runtime_bytes / MB,
            "debian_fixed_mb": self.debian_fixed_runtime_bytes / MB,
            "debian_first_vs_jre": self.debian_first_runtime_bytes / jre,
            "debian_fixed_vs_jre": self.debian_fixed_runtime_bytes / jre,
            "debuginfo_files": self.debuginfo_files, "debuginfo_mb": self.debuginfo_bytes / MB,
            "alpine_mb": self.alpine_bytes / MB, "alpine_pull_mb": self.alpine_pull_bytes / MB,
            "jlink_mb": self.jlink_bytes / MB, "jlink_pull_mb": self.jlink_pull_bytes / MB,
            "jlink_vs_alpine": self.jlink_bytes / self.alpine_bytes,
            "writeup_alpine_mb": self.writeup_alpine_mb, "writeup_jlink_mb": self.writeup_jlink_mb,
            "handpicked": "failed at startup" if self.handpicked_failed
            else "started (unexpected)",
            "jre_ready_s": self.jre_ready_s, "aot_ready_s": self.aot_ready_s,
            "jlink_ready": "not measured" if self.jlink_ready_s is None
            else f"{self.jlink_ready_s:.2f}",
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
    fixed = figures.debian_fixed_runtime_bytes < 0.9 * figures.debian_first_runtime_bytes
    trap = (POINT_TRAP if fixed else POINT_TRAP_UNFIXED) if figures.trap_met else POINT_NO_TRAP
    points = [POINT_MODULES, POINT_STRIP, trap,
              POINT_IMAGE, *([POINT_COMPRESSION] if len(figures.levels) > 1 else []),
              POINT_HANDPICKED, POINT_AOT]
    return Summary(SUMMARY_TITLE.format_map(values), rows,
                   [p.format_map(values) for p in points])


def summary(*, modules: Sequence[str], jdk: dict, strip: Sequence[dict], case: dict,
            levels: Sequence[dict], starts: Sequence[dict], delivery: Delivery,
            handpicked_failed: bool, debian: str = DEBIAN_TAG) -> Summary:
    """Lab 04's closing table and key points, every figure taken from this run: ``jdk``
    (``jdk_facts`` of the Maven image's JDK), ``strip`` (``strip_debug``), ``case``
    (``debian_case``: Debian's runtime as linked) and ``debian``, the fixed Debian image."""
    from slimlab.report import WRITEUP

    alpine, jlink, aot = (_report(n) for n in ("alpine", "jlink", "aot"))
    by_name = {r["variant"]: r for r in starts}
    return render_summary(SummaryFigures(
        modules=len(modules), jdk_build=jdk["build"], jdk_jmods=jdk["jmods"],
        jdk_runtime_linking=jdk["links from its run-time image (JEP 493)"],
        full_jre_bytes=runtime_bytes(alpine), nostrip_runtime_bytes=strip[0]["runtime bytes"],
        jlink_runtime_bytes=runtime_bytes(jlink),
        debian_first_runtime_bytes=case["runtime bytes"],
        debian_fixed_runtime_bytes=runtime_bytes(_report(debian)),
        debuginfo_files=case["debuginfo files"], debuginfo_bytes=case["debuginfo bytes"],
        trap_met=case["trap met"], alpine_bytes=alpine.size_bytes,
        alpine_pull_bytes=alpine.pull_bytes, jlink_bytes=jlink.size_bytes,
        jlink_pull_bytes=jlink.pull_bytes, levels=tuple(levels),
        handpicked_failed=handpicked_failed,
        jre_ready_s=by_name["jre"]["ready_s"], aot_ready_s=by_name["aot"]["ready_s"],
        cache_bytes=cache_file(aot)["bytes"], push_bytes=delivery.push_bytes,
        rebuild_s=delivery.warm.seconds,
        writeup_alpine_mb=WRITEUP.get("alpine", {}).get("size_mb"),
        writeup_jlink_mb=WRITEUP.get("jlink", {}).get("size_mb"), kit=note("jlink"),
        jlink_ready_s=(by_name.get("jlink") or {}).get("ready_s")))

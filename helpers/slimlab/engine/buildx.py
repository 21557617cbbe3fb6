"""BuildKit builds through the docker CLI: ``docker buildx build --progress=rawjson``.

BuildKit is what ``docker build`` runs on every current engine, and the Docker SDK cannot
drive it, so the build goes through the CLI. The build context arrives as a tar on stdin
(``-``), exactly the bytes ``context.make_context`` produced. BuildKit reports progress as
a stream of JSON objects (pretty-printed, one after another, not one per line): vertexes
with their name (``[build 3/6] RUN mvn …``), start and end times and a ``cached`` flag,
plus log chunks per vertex. ``parse_events`` folds them into :class:`Vertex` records; the
text after the JSON (the Dockerfile excerpt and ``ERROR: failed to solve: …``) is kept.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from slimlab.errors import EngineUnavailable

INSTRUCTION = re.compile(
    r"^\[(?:(?P<stage>[^\]\s]+) )?(?P<index>\d+)/(?P<total>\d+)\] (?P<text>.*)$", re.DOTALL)
_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def parse_time(text: str | None) -> float | None:
    """Seconds since the epoch from BuildKit's RFC 3339 times (nanoseconds included)."""
    if not text:
        return None
    match = _TIME.match(text)
    if not match:
        return None
    base, fraction, zone = match.groups()
    stamp = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    return stamp.replace(tzinfo=stamp.tzinfo or UTC).timestamp() + float("0." + (fraction or "0"))


@dataclass
class Vertex:
    """One node of the build graph; Dockerfile instructions are those with ``[i/n]``."""

    digest: str
    name: str
    started: float | None = None
    completed: float | None = None
    cached: bool = False
    error: str = ""
    log: list[str] = field(default_factory=list)
    order: int = 0  # when it was first seen

    @property
    def seconds(self) -> float:
        if self.started is None or self.completed is None:
            return 0.0
        return max(0.0, self.completed - self.started)

    @property
    def instruction(self) -> re.Match[str] | None:
        return INSTRUCTION.match(self.name)


@dataclass
class Events:
    """Everything a build printed, folded."""

    vertexes: dict[str, Vertex] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)  # non-JSON lines (errors, warnings)

    def ordered(self) -> list[Vertex]:
        return sorted(self.vertexes.values(), key=lambda v: v.order)

    @property
    def error(self) -> str:
        for line in reversed(self.text):
            if line.startswith("ERROR:"):
                return line.removeprefix("ERROR:").strip()
        failed = [v for v in self.ordered() if v.error]
        return failed[-1].error if failed else ""

    def failed_vertex(self) -> Vertex | None:
        failed = [v for v in self.ordered() if v.error]
        return failed[-1] if failed else None


def _objects(chunks: Iterable[str]) -> Iterator[dict | str]:
    """Split a stream of text into JSON objects, and lines of plain text between them."""
    decoder = json.JSONDecoder()
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        while True:
            stripped = buffer.lstrip()
            if not stripped:
                buffer = ""
                break
            if stripped[0] == "{":
                try:
                    obj, end = decoder.raw_decode(stripped)
                except ValueError:
                    break  # incomplete: wait for more
                buffer = stripped[end:]
                yield obj
            else:
                line, sep, rest = stripped.partition("\n")
                if not sep:
                    break
                buffer = rest
                yield line.rstrip()
    tail = buffer.strip()
    if tail:
        yield from tail.splitlines()


def parse_events(chunks: Iterable[str], on_vertex: Callable[[Vertex], None] | None = None
                 ) -> Events:
    """Fold ``--progress=rawjson`` output; ``on_vertex`` hears every vertex update."""
    events = Events()
    for obj in _objects(chunks):
        if isinstance(obj, str):
            events.text.append(obj)
            continue
        for raw in obj.get("vertexes") or []:
            vertex = events.vertexes.get(raw["digest"])
            if vertex is None:
                vertex = Vertex(raw["digest"], raw.get("name", ""), order=len(events.vertexes))
                events.vertexes[vertex.digest] = vertex
            vertex.name = raw.get("name", vertex.name)
            vertex.started = parse_time(raw.get("started")) or vertex.started
            vertex.completed = parse_time(raw.get("completed")) or vertex.completed
            vertex.cached = vertex.cached or bool(raw.get("cached"))
            vertex.error = raw.get("error") or vertex.error
            if on_vertex:
                on_vertex(vertex)
        for log in obj.get("logs") or []:
            vertex = events.vertexes.get(log.get("vertex", ""))
            if vertex is None:
                continue
            data = base64.b64decode(log.get("data") or b"").decode(errors="replace")
            vertex.log.extend(line for line in data.splitlines() if line.strip())
    return events


def cli() -> str:
    """The docker CLI's path; EngineUnavailable with the fix when it is missing."""
    path = shutil.which("docker")
    if path is None:
        raise EngineUnavailable("The docker command is not installed; BuildKit builds need it.",
                                hint="Install Docker Desktop, or Docker Engine with its CLI "
                                "and the buildx plugin (Debian: docker-cli, docker-buildx).")
    return path


def version() -> str | None:
    """buildx's version (``0.13.1``…), or None when the plugin is missing."""
    try:
        out = subprocess.run([cli(), "buildx", "version"], capture_output=True, text=True,
                             timeout=30)
    except (EngineUnavailable, OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"v?(\d+\.\d+\.\d+)", out.stdout)
    return match.group(1) if out.returncode == 0 and match else None


def driver() -> str | None:
    """The current builder's driver (``docker``: BuildKit inside the engine;
    ``docker-container``…), from ``docker buildx inspect``; None when it cannot be read."""
    try:
        out = subprocess.run([cli(), "buildx", "inspect"], capture_output=True, text=True,
                             timeout=30)
    except (EngineUnavailable, OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"^Driver:\s*(\S+)", out.stdout, re.MULTILINE)
    return match.group(1) if out.returncode == 0 and match else None


def require() -> str:
    """The buildx version, or EngineUnavailable saying how to get it."""
    found = version()
    if found is None:
        raise EngineUnavailable(
            "docker buildx is missing: Slimlab builds with BuildKit, as `docker build` does "
            "on every current engine.",
            hint="Docker Desktop has it. On Linux install the buildx plugin (Debian and "
            "Ubuntu: `sudo apt-get install docker-buildx`; Docker's own packages: "
            "docker-buildx-plugin). Debian 12's docker.io (Engine 20.10) has none: use a "
            "current Docker Engine.")
    return found


@dataclass
class BuildxRun:
    """A finished ``docker buildx build``: exit code, image id and the folded events."""

    returncode: int
    image_id: str
    events: Events
    argv: list[str]


def push_output(ref: str, compression: str) -> list[str]:
    """Arguments that push the build's image to ``ref`` with every layer compressed as
    ``compression`` (gzip, zstd), recompressing layers the cache holds otherwise."""
    return ["--output", f"type=image,name={ref},push=true,compression={compression},"
            "force-compression=true,oci-mediatypes=true"]


def run_build(context_tar: bytes, *, dockerfile: str, tag: str, buildargs: dict[str, str],
          labels: dict[str, str], target: str | None = None, nocache: bool = False,
          network: str | None = None, output: list[str] | None = None,
          on_vertex: Callable[[Vertex], None] | None = None) -> BuildxRun:
    """Run one BuildKit build of the tar context; the image lands in the engine's store,
    tagged ``tag`` (or goes where ``output`` says, e.g. :func:`push_output`).

    Never pulls on its own account: ``--pull`` is off, and the caller checks every FROM
    image is present first (BuildKit would otherwise fetch a missing one silently)."""
    with tempfile.TemporaryDirectory(prefix="slimlab-buildx-") as tmp:
        iidfile = Path(tmp) / "iid"
        argv = [cli(), "buildx", "build", "--progress=rawjson", "--iidfile", str(iidfile),
                "-f", dockerfile, *(output or ["--load", "-t", tag])]
        for key, value in buildargs.items():
            argv += ["--build-arg", f"{key}={value}"]
        for key, value in labels.items():
            argv += ["--label", f"{key}={value}"]
        if target:
            argv += ["--target", target]
        if nocache:
            argv.append("--no-cache")
        if network:
            argv += ["--network", network]
        argv.append("-")
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=False)
        feeder = threading.Thread(target=_feed, args=(process, context_tar), daemon=True)
        feeder.start()
        try:
            stderr = process.stderr
            assert isinstance(stderr, io.BufferedReader)  # a pipe, bytes, buffered (the default)
            chunks = (chunk.decode(errors="replace") for chunk in iter(
                lambda: stderr.read1(1 << 16), b""))
            events = parse_events(chunks, on_vertex)
            returncode = process.wait()
        except BaseException:  # Ctrl+C: stop the CLI, so BuildKit cancels the build
            process.kill()
            process.wait()
            raise
        finally:
            feeder.join(timeout=5)
        image_id = iidfile.read_text().strip() if iidfile.exists() else ""
    return BuildxRun(returncode, image_id if returncode == 0 else "", events, argv)


def _feed(process: subprocess.Popen, data: bytes) -> None:
    try:
        assert process.stdin is not None
        process.stdin.write(data)
        process.stdin.close()
    except (BrokenPipeError, OSError):  # the CLI ended early; its stderr says why
        pass

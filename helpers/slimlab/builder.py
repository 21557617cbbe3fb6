"""Build an image with BuildKit, as ``docker build`` does, and return what it cost.

Before anything is sent, every ``FROM`` is resolved (``ARG``s filled in) and must be on the
engine: a missing base fails here, with the fix, instead of being pulled silently inside
the build. The build itself runs in ``engine.buildx``; its events become one
:class:`StepRecord` per Dockerfile instruction (with BuildKit's own ``CACHED`` flag and
timing) and the progress display shows what ``docker build --progress=plain`` prints.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

from slimlab import config, engine
from slimlab.context import make_context
from slimlab.dockerfile import base_images, stage_names
from slimlab.engine import buildx
from slimlab.errors import BaseImageMissing, BuildFailed, ConfigError, EngineLimit
from slimlab.progress import progress


@dataclass
class StepRecord:
    """One Dockerfile instruction as BuildKit ran it (``[build 3/6] RUN mvn …``)."""

    index: int  # position in the build, 1-based, in the order BuildKit listed them
    instruction: str
    seconds: float = 0.0
    cached: bool = False
    stage: str = ""  # the stage name BuildKit shows ("build"), "" for a single stage
    log: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"[{self.stage}] {self.instruction}" if self.stage else self.instruction


@dataclass
class BuildResult:
    """What one build cost. ``seconds`` is wall clock from sending the context to the end."""

    tag: str
    image_id: str
    seconds: float
    steps: list[StepRecord] = field(default_factory=list)
    context_bytes: int = 0
    bases: dict[str, str] = field(default_factory=dict)
    log: str = ""
    command: str = ""  # the `docker build` line that does the same by hand

    @property
    def cached_steps(self) -> int:
        return sum(1 for s in self.steps if s.cached)

    def step(self, needle: str) -> StepRecord:
        """The first step whose instruction contains ``needle`` (e.g. ``"go-offline"``)."""
        for record in self.steps:
            if needle in record.instruction:
                return record
        raise KeyError(f"no build step contains {needle!r}")

    def summary(self) -> str:
        return (
            f"{self.tag}: built in {self.seconds:.1f} s, "
            f"{self.cached_steps}/{len(self.steps)} steps from cache"
        )

    def to_dict(self) -> dict:
        return {
            "tag": self.tag,
            "image_id": self.image_id,
            "seconds": round(self.seconds, 2),
            "steps": len(self.steps),
            "cached_steps": self.cached_steps,
            "context_bytes": self.context_bytes,
        }


def steps_of(events: buildx.Events, stages: list[str] | None = None) -> list[StepRecord]:
    """The Dockerfile instructions among BuildKit's vertexes, in Dockerfile order (stages
    as ``stages`` lists them, then ``[i/n]`` within a stage). A stage the target does not
    need never appears: BuildKit skips it."""
    order = {name.lower(): n for n, name in enumerate(stages or [])}
    found = []
    for vertex in events.ordered():
        match = vertex.instruction
        if match is not None:
            stage = match.group("stage") or ""
            found.append((order.get(stage.lower(), len(order)), int(match.group("index")),
                          vertex.order, match, vertex))
    found.sort(key=lambda item: item[:3])
    return [StepRecord(n, " ".join(match.group("text").split()), vertex.seconds,
                       vertex.cached, match.group("stage") or "", vertex.log)
            for n, (_, _, _, match, vertex) in enumerate(found, 1)]


def plain_log(events: buildx.Events) -> str:
    """The build as ``docker build --progress=plain`` shows it: one line per vertex."""
    lines = []
    for n, vertex in enumerate(events.ordered(), 1):
        state = ("CACHED" if vertex.cached else f"ERROR: {vertex.error}" if vertex.error
                 else f"DONE {vertex.seconds:.1f}s")
        lines.append(f"#{n} {vertex.name}")
        lines += [f"#{n} {line}" for line in vertex.log[-200:]]
        lines.append(f"#{n} {state}")
    lines += events.text
    return "\n".join(lines)


def check_bases(dockerfile_text: str, buildargs: dict[str, str], where: str) -> list[str]:
    """Every FROM image, resolved; BaseImageMissing before the build when one is absent."""
    images = base_images(dockerfile_text, buildargs)
    missing = [image for image in images if not engine.image_exists(image)]
    if missing:
        raise BaseImageMissing(
            f"{where} starts FROM {', '.join(missing)}, which this engine does not have; "
            "Slimlab never lets a build pull on its own.",
            hint="Run `make lab` (or `slimlab prepare`) to get the base images, or build the "
            "kit (`make kit`, SLIMLAB_PROFILE=kit).")
    return images


def build_image(
    dockerfile: str | Path,
    tag: str,
    *,
    context: str | Path | None = None,
    buildargs: dict[str, str] | None = None,
    lab: str = "",
    target: str | None = None,
    nocache: bool = False,
    use_mirror: bool = True,
    network_mode: str | None = None,
    quiet: bool = False,
    extra_labels: dict[str, str] | None = None,
    push_compressed: str = "",
) -> BuildResult:
    """Build ``dockerfile`` with ``context`` (default: the app) and tag it ``tag``; with
    ``push_compressed`` ("gzip", "zstd"), push it to the registry named in ``tag`` with
    its layers compressed so, instead of keeping it in the engine.

    A Maven mirror (see ``kit.mirror``) is used when one is configured: the context then
    carries generated Maven settings and the build runs with host networking, so the
    build's containers reach the mirror on 127.0.0.1.
    """
    from slimlab.kit.mirror import mirror_url_for_builds

    dockerfile = Path(dockerfile)
    buildargs = dict(buildargs or {})
    text = dockerfile.read_text()
    check_bases(text, buildargs, dockerfile.name)
    buildx.require()
    if push_compressed:
        require_compression(push_compressed)
    root = Path(context) if context else config.workbook_root() / "sample-app"
    mirror = mirror_url_for_builds() if use_mirror else ""
    ctx = make_context(root, dockerfile, mirror_url=mirror)
    labels = engine.labels(lab, **(extra_labels or {}))
    network = network_mode or ("host" if mirror else None)
    display = progress(f"build {tag}", quiet=quiet)
    if mirror:
        display.note(f"Maven mirror: {mirror}")
    shown: dict[str, str] = {}

    def show(vertex: buildx.Vertex) -> None:
        """Announce each instruction when it starts, and how it ended (plain progress)."""
        match = vertex.instruction
        if match is None:
            return
        state = ("CACHED" if vertex.cached else "ERROR" if vertex.error
                 else "DONE" if vertex.completed else "started" if vertex.started else "")
        before = shown.get(vertex.digest)
        if not state or before == state:
            return
        shown[vertex.digest] = state
        index, total = int(match.group("index")), int(match.group("total"))
        if state == "CACHED":
            display.step(index, total, vertex.name, cached=True)
            return
        if before is None:
            display.step(index, total, vertex.name)
        if state != "started":
            display.note(f"  {vertex.name.split(']')[0]}] {state} {vertex.seconds:.1f}s")

    started = time.monotonic()
    try:
        outcome = buildx.run_build(ctx.data, dockerfile=ctx.dockerfile, tag=tag,
                               buildargs=buildargs, labels=labels, target=target,
                               nocache=nocache, network=network, on_vertex=show,
                               output=buildx.push_output(tag, push_compressed)
                               if push_compressed else None)
    except BaseException:
        display.close("interrupted: nothing was tagged")
        raise
    seconds = time.monotonic() - started
    steps = steps_of(outcome.events, stage_names(text))
    log = plain_log(outcome.events)
    if outcome.returncode != 0 or not outcome.image_id:
        display.close(f"FAILED after {seconds:.1f} s")
        failed = outcome.events.failed_vertex()
        where = " ".join(failed.name.split()) if failed else "(before the first step)"
        match = failed.instruction if failed else None
        step = " ".join(match.group("text").split()) if match else where
        detail = "\n".join((failed.log if failed else [])[-20:] + outcome.events.text[-8:])
        error = outcome.events.error or f"docker buildx exited with {outcome.returncode}"
        raise BuildFailed(
            f"Building {tag} failed at: {where}\n{error}".rstrip(),
            step=step,
            hint=_hint_for(f"{error}\n{detail}", dockerfile),
            log=detail or log[-3000:],
        )
    if push_compressed:  # pushed, not kept: the containerd store also keeps the image
        engine.remove_image(tag)
    result = BuildResult(tag, outcome.image_id, seconds, steps, ctx.size, buildargs, log,
                         command=_command(dockerfile, root, tag, buildargs, target,
                                          push_compressed))
    display.close(result.summary())
    return result


ZSTD_NEEDS_CONTAINERD = (
    "Turn on the containerd image store, then run this again. Docker Desktop: Settings → "
    "General → \"Use containerd for pulling and storing images\". Docker Engine: add "
    "{\"features\": {\"containerd-snapshotter\": true}} to /etc/docker/daemon.json and "
    "restart Docker (images and containers of the old store are hidden until you switch "
    "back).")


def zstd_refusal() -> str:
    """Why this engine cannot push zstd layers, or "" when it can. BuildKit's built-in
    ``docker`` driver on the graph-driver store (overlay2) pushes through the engine's own
    pusher, which writes gzip layers whatever ``compression=`` says; the containerd store,
    or a ``docker-container`` builder, pushes what was asked."""
    store = engine.image_store()
    if store == "containerd" or buildx.driver() not in (None, "docker"):
        return ""
    return (f"this engine keeps its images in the {store} store, whose builder pushes every "
            "layer gzip-compressed whatever compression= says")


def require_compression(method: str) -> None:
    """Refuse a push the engine would silently compress otherwise."""
    if method not in ("gzip", "zstd"):
        raise ConfigError(f"Unknown layer compression {method!r}.", hint="Use gzip or zstd.")
    refusal = zstd_refusal() if method == "zstd" else ""
    if refusal:
        raise EngineLimit(f"A zstd push cannot be made here: {refusal}. Nothing was built "
                          "or pushed.", hint=ZSTD_NEEDS_CONTAINERD)


def _command(dockerfile: Path, root: Path, tag: str, buildargs: dict[str, str],
             target: str | None, push_compressed: str = "") -> str:
    """The ``docker build`` a learner would type for the same build."""
    parts = ["docker", "build", "-f", str(dockerfile)]
    if push_compressed:
        parts = ["docker", "buildx", "build", "-f", str(dockerfile),
                 *buildx.push_output(tag, push_compressed)]
    for key, value in buildargs.items():
        parts += ["--build-arg", f"{key}={value}"]
    if target:
        parts += ["--target", target]
    parts += [str(root)] if push_compressed else ["-t", tag, str(root)]
    return shlex.join(parts)


def _hint_for(text: str, dockerfile: Path) -> str:
    lowered = text.lower()
    if any(needle in lowered for needle in ("could not resolve dependencies",
                                            "could not transfer artifact",
                                            "could not find artifact")):
        return ("Maven could not download an artifact. Is the Maven mirror primed (`make kit`)? "
                "A missing artifact is logged by the mirror with its path.")
    if "pull access denied" in lowered or ("manifest" in lowered and "not found" in lowered):
        return ("A base image is missing. Build the kit (`make kit`) and use "
                "SLIMLAB_PROFILE=kit, or pull the upstream image.")
    if "dockerfile parse error" in lowered or "unknown instruction" in lowered:
        return f"{dockerfile.name} has a syntax error on the line named above: fix it."
    if "no such file or directory" in lowered or "not found" in lowered:
        return (f"A file the Dockerfile needs is missing. Check the COPY lines in {dockerfile} "
                "against the build context (and its .dockerignore).")
    return f"Read the log lines above, fix {dockerfile.name}, and build again."

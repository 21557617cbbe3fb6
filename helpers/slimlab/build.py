"""Build an image with the classic builder, showing progress, and return what it cost.

The engine streams JSON lines: ``Step 3/9 : RUN …``, `` ---> Using cache``, `` ---> 1a2b…``
and finally ``Successfully built …`` or an ``errorDetail``. ``parse_stream`` turns them
into per-step records; ``build`` adds the context, the base images and the labels.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from slimlab import config, engine
from slimlab.context import make_context
from slimlab.errors import BuildFailed
from slimlab.progress import progress

STEP_RE = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


@dataclass
class StepRecord:
    index: int
    instruction: str
    seconds: float = 0.0
    cached: bool = False


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


@dataclass
class _Parsed:
    steps: list[StepRecord]
    image_id: str
    error: str
    log_lines: list[str]


def parse_stream(
    chunks: Iterable[dict], clock=time.monotonic, on_step=None, on_line=None
) -> _Parsed:
    """Fold the engine's build stream into steps, the image id and an error, if any."""
    steps: list[StepRecord] = []
    log: list[str] = []
    image_id = ""
    error = ""
    started = clock()
    for chunk in chunks:
        if "errorDetail" in chunk or "error" in chunk:
            error = (chunk.get("errorDetail") or {}).get("message") or chunk.get("error", "")
            log.append(error)
            continue
        if "aux" in chunk and isinstance(chunk["aux"], dict) and "ID" in chunk["aux"]:
            image_id = chunk["aux"]["ID"]
        text = chunk.get("stream", "")
        for line in text.splitlines():
            if not line.strip():
                continue
            log.append(line)
            if on_line:
                on_line(line)
            match = STEP_RE.match(line)
            now = clock()
            if match:
                if steps:
                    steps[-1].seconds = now - started
                started = now
                steps.append(StepRecord(int(match.group(1)), match.group(3)))
                if on_step:
                    on_step(steps[-1], int(match.group(2)))
            elif line.strip() == "---> Using cache" and steps:
                steps[-1].cached = True
            elif line.startswith("Successfully built "):
                image_id = image_id or line.split()[-1]
    if steps:
        steps[-1].seconds = clock() - started
    return _Parsed(steps, image_id, error, log)


def failing_step(parsed: _Parsed) -> str:
    return parsed.steps[-1].instruction if parsed.steps else "(before the first step)"


def build(
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
) -> BuildResult:
    """Build ``dockerfile`` with ``context`` (default: the app) and tag it ``tag``.

    A Maven mirror (see ``kit.mirror``) is used when one is configured: the context then
    carries generated Maven settings and the build runs with host networking, so the
    container reaches the mirror on 127.0.0.1.
    """
    from slimlab.kit.mirror import mirror_url_for_builds

    dockerfile = Path(dockerfile)
    root = Path(context) if context else config.repo_root() / "sample-app"
    mirror = mirror_url_for_builds() if use_mirror else ""
    ctx = make_context(root, dockerfile, mirror_url=mirror)
    labels = engine.labels(lab, **(extra_labels or {}))
    display = progress(f"build {tag}", quiet=quiet)
    if mirror:
        display.note(f"Maven mirror: {mirror}")

    api = engine.client().api
    started = time.monotonic()
    stream = api.build(
        fileobj=ctx.data,
        custom_context=True,
        dockerfile=ctx.dockerfile,
        tag=tag,
        buildargs=buildargs or {},
        labels=labels,
        target=target,
        nocache=nocache,
        rm=True,
        forcerm=True,
        pull=False,
        network_mode=network_mode or ("host" if mirror else None),
        decode=True,
    )

    def show_cache_hit(line: str) -> None:
        if line.strip() == "---> Using cache":
            display.note("  from cache")

    parsed = parse_stream(
        _guarded(stream),
        on_step=lambda s, total: display.step(s.index, total, s.instruction),
        on_line=show_cache_hit,
    )
    seconds = time.monotonic() - started
    log = "\n".join(parsed.log_lines)
    if parsed.error or not parsed.image_id:
        display.close(f"FAILED after {seconds:.1f} s")
        tail = "\n".join(parsed.log_lines[-25:])
        raise BuildFailed(
            f"Building {tag} failed at: {failing_step(parsed)}\n{parsed.error}".rstrip(),
            step=failing_step(parsed),
            hint=_hint_for(f"{parsed.error}\n{tail}", dockerfile),  # a RUN's own output says why
            log=tail,
        )
    result = BuildResult(tag, parsed.image_id, seconds, parsed.steps, ctx.size,
                         dict(buildargs or {}), log)
    display.close(result.summary())
    return result


def _guarded(stream: Iterator[dict]) -> Iterator[dict]:
    """Turn the SDK's mid-stream API errors into stream errors, so they end up in the log."""
    from docker.errors import APIError

    try:
        yield from stream
    except APIError as exc:
        yield {"error": str(exc.explanation or exc)}


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
    if "no such file or directory" in lowered or "not found" in lowered:
        return (f"A file the Dockerfile needs is missing. Check the COPY lines in {dockerfile} "
                "against the build context (and its .dockerignore).")
    return f"Read the log lines above, fix {dockerfile.name}, and build again."

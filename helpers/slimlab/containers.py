"""Run an image as a container that is always removed, and time what matters.

``with run("bookshelf:multi") as app:`` publishes the app on 127.0.0.1 (a free port unless
one is asked for), waits until ``/actuator/health/readiness`` is UP, and gives you:
``app.ready_seconds`` (wall clock from the start call), ``app.spring_seconds`` (Spring's
own ``Started … in … seconds``), ``app.memory_bytes`` (usage less inactive page cache, as
``docker stats`` shows it) and, after the block, ``app.stop_seconds`` (SIGTERM to exit).

The container is removed on every exit path. A kernel that died mid-run leaves its
container behind; the next ``run`` finds it by label (its owner process is gone) and
removes it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import statistics
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slimlab import config, engine
from slimlab.errors import ContainerFailed, ImageMissing, PortBusy

if TYPE_CHECKING:
    from slimlab.engine import Container

APP_PORT = 8080
READY_PATH = "/actuator/health/readiness"
STARTED_RE = re.compile(r"Started \S+ in ([\d.]+) seconds")
PLATFORM_CLASS_MISSING = re.compile(
    r"(?:NoClassDefFoundError|ClassNotFoundException):? ((?:java|javax|jdk|sun)[./][\w./$]+)")
OWNER = "slimlab.owner"


def spring_started_seconds(log: str) -> float | None:
    """Spring's own startup figure from ``Started X in 3.21 seconds (process running …)``."""
    match = STARTED_RE.search(log)
    return float(match.group(1)) if match else None


def memory_without_cache(stats: dict) -> int:
    """Memory as ``docker stats`` shows it: usage less inactive file cache (cgroup v1 or v2)."""
    mem = stats.get("memory_stats", {})
    usage = mem.get("usage", 0)
    detail = mem.get("stats", {})
    for key in ("total_inactive_file", "inactive_file"):
        if key in detail and detail[key] < usage:
            return usage - detail[key]
    return usage


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def remove_orphans() -> int:
    """Remove containers whose owning process on this host is gone (a killed kernel)."""
    removed = 0
    host = socket.gethostname()
    for container in engine.containers():
        owner = (container.labels or {}).get(OWNER, "")
        name, _, pid = owner.rpartition(":")
        if name != host or not pid.isdigit() or _alive(int(pid)):
            continue
        container.remove(force=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Running:
    """A running app container and what was measured about it."""

    image: str
    container: Container  # the Docker SDK's model (untyped: the SDK ships no stubs)
    port: int
    ready_seconds: float = 0.0
    spring_seconds: float | None = None
    memory_bytes: int = 0
    stop_seconds: float | None = None
    exit_code: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, object]:
        """GET ``path`` on the app: (status, parsed JSON or text)."""
        return http_get(self.url.rstrip("/") + path, timeout)

    def logs(self, tail: int = 40) -> str:
        return self.container.logs(tail=tail).decode(errors="replace")

    def diff(self) -> list[dict]:
        """What the container's writable layer holds: ``docker diff`` (A/C/D per path)."""
        kinds = {0: "C", 1: "A", 2: "D"}
        changes = self.container.diff() or []  # the engine sends null for no changes
        return [{"change": kinds[c["Kind"]], "path": c["Path"]} for c in changes]

    def sizes(self) -> dict[str, int]:
        """Writable-layer bytes (SizeRw) and everything the container sees (SizeRootFs)."""
        return engine.container_sizes(self.container.id)

    def lower_dirs(self) -> list[str]:
        """The read-only image layers overlay2 stacks under this container."""
        data = self.container.attrs.get("GraphDriver", {}).get("Data", {}) or {}
        return (data.get("LowerDir") or "").split(":")

    def file_size(self, path: str) -> int:
        """A file's size as this container sees it, read through the engine as ``docker cp``
        does (no process in the container: works without a shell; -1 when missing)."""
        return engine.container_file_size(self.container, path)

    def summary(self) -> str:
        spring = f", Spring says {self.spring_seconds:.2f} s" if self.spring_seconds else ""
        return (f"{self.image}: ready in {self.ready_seconds:.2f} s{spring}, "
                f"{self.memory_bytes / 2**20:.0f} MiB, at {self.url}")


def http_get(url: str, timeout: float = 10.0) -> tuple[int, object]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


def _ready(port: int) -> bool:
    try:
        status, body = http_get(f"http://127.0.0.1:{port}{READY_PATH}", timeout=1.0)
    except (OSError, urllib.error.URLError):
        return False
    return status == 200 and isinstance(body, dict) and body.get("status") == "UP"


@contextmanager
def run_container(
    image: str,
    *,
    lab: str = "",
    port: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    wait_ready: bool = True,
    command: list[str] | None = None,
    memory_limit: str | None = None,
    stop_timeout: int = 30,
    container_port: int = APP_PORT,
    ready: Callable[[int], bool] | None = None,
) -> Iterator[Running]:
    """Run ``image``, wait for readiness, yield a :class:`Running`, always remove it.
    The app by default; another service (the registry) names its port and readiness."""
    remove_orphans()
    timeout = timeout or config.ready_timeout()
    host_port = ("127.0.0.1", port) if port else ("127.0.0.1", None)
    name = f"slimlab-{uuid.uuid4().hex[:12]}"
    container = None
    try:
        started = time.monotonic()
        # create, then start: a failed start (busy port) leaves a container that the
        # `finally` below must remove, and create never pulls a missing image
        try:
            container = engine.create_container(
                image, name=name, command=command, ports={f"{container_port}/tcp": host_port},
                environment=env, mem_limit=memory_limit,
                labels=engine.labels(lab, owner=_owner()))
        except ImageMissing as exc:
            raise ContainerFailed(exc.message, hint=exc.hint) from None
        try:
            engine.start_container(container)
        except PortBusy as exc:
            raise PortBusy(f"Port {port} on 127.0.0.1 is already in use.", hint=exc.hint,
                           ) from None
        container.reload()
        bound = container.ports.get(f"{container_port}/tcp") or [{}]
        app = Running(image, container, int(bound[0].get("HostPort") or 0))
        if ready is not None:
            _wait_ready(app, started, timeout, ready)
        elif wait_ready:
            _wait_ready(app, started, timeout)
            app.spring_seconds = spring_started_seconds(app.logs(tail=400))
            app.memory_bytes = memory_without_cache(container.stats(stream=False))
        yield app
        app.stop_seconds, app.exit_code = _stop(container, stop_timeout)
    finally:
        # by name: a Ctrl+C during create leaves a container we never got an object for
        engine.remove_container(container.id if container is not None else name)


def _wait_ready(app: Running, started: float, timeout: float,
                ready: Callable[[int], bool] | None = None) -> None:
    container = app.container
    while True:
        if (ready or _ready)(app.port):
            app.ready_seconds = time.monotonic() - started
            return
        container.reload()
        if container.status in ("exited", "dead"):
            code = container.attrs["State"].get("ExitCode")
            raise ContainerFailed(
                f"{app.image} exited with code {code} before it became ready.",
                status=f"exited ({code})",
                hint=_exit_hint(code, app.logs()),
                log=app.logs(tail=25),
            )
        if time.monotonic() - started > timeout:
            silent = f"{READY_PATH} never answered UP" if ready is None else "no answer"
            raise ContainerFailed(
                f"{app.image} did not become ready within {timeout:.0f} s ({silent}).",
                status=container.status,
                hint="Look at the log for the step it hangs at; a slow machine may need "
                "SLIMLAB_READY_TIMEOUT raised.",
                log=app.logs(tail=25),
            )
        time.sleep(0.1)


def _exit_hint(code: int | None, log: str) -> str:
    platform = PLATFORM_CLASS_MISSING.search(log)
    if platform:  # a jlink runtime without the module that holds a JDK class
        return (f"The Java platform class {platform.group(1).replace('/', '.')} is missing "
                "from this runtime: its JDK module is not in the jlink list. Compute the "
                "list with jdeps instead of typing it.")
    if "module" in log.lower() and ("not found" in log.lower() or "NoClassDefFound" in log):
        return "A JDK module or class is missing from the runtime: add it to the jlink list."
    if code == 137:
        return "Killed (out of memory?): raise the memory limit."
    if "Unable to access jarfile" in log:
        return "The ENTRYPOINT names a jar that is not in the image: check the COPY lines."
    if "exec format error" in log or "no such file or directory" in log.lower():
        return "The entrypoint's program is missing or not runnable in this image."
    return "Read the log lines above: the first ERROR or exception is usually the cause."


def _stop(container, stop_timeout: int) -> tuple[float | None, int | None]:
    """SIGTERM, then wait: the seconds a graceful shutdown took (None if it was killed)."""
    started = time.monotonic()
    try:
        container.kill(signal="SIGTERM")
        result = container.wait(timeout=stop_timeout)
    except Exception:
        return None, None
    return time.monotonic() - started, result.get("StatusCode")


@dataclass
class Startup:
    """Startup of one image over several runs: medians and spread."""

    image: str
    ready: list[float] = field(default_factory=list)
    spring: list[float] = field(default_factory=list)
    memory: list[int] = field(default_factory=list)
    stop: list[float] = field(default_factory=list)

    @property
    def ready_median(self) -> float:
        return statistics.median(self.ready)

    @property
    def memory_median(self) -> float:
        return statistics.median(self.memory)

    def to_dict(self) -> dict:
        spread = (min(self.ready), max(self.ready))
        return {
            "image": self.image,
            "runs": len(self.ready),
            "ready_s": round(self.ready_median, 2),
            "ready_min_s": round(spread[0], 2),
            "ready_max_s": round(spread[1], 2),
            "spring_s": round(statistics.median(self.spring), 2) if self.spring else None,
            "memory_mib": round(self.memory_median / 2**20, 1),
            "stop_s": round(statistics.median(self.stop), 2) if self.stop else None,
        }


def startup(images: list[str] | str, runs: int | None = None,
            lab: str | dict[str, str] = "") -> list[Startup]:
    """Start each image ``runs`` times, interleaved (a,b,a,b…) so drift hits all alike.
    ``lab`` labels the containers: one lab for all, or one per image."""
    images = [images] if isinstance(images, str) else list(images)
    labs = lab if isinstance(lab, dict) else dict.fromkeys(images, lab)
    results = {image: Startup(image) for image in images}
    for _ in range(runs or config.runs()):
        for image in images:
            with run_container(image, lab=labs.get(image, "")) as app:
                status, _ = app.get("/api/books?size=1")
                if status != 200:
                    raise ContainerFailed(f"{image} is ready but /api/books answered {status}.",
                                          log=app.logs())
            record = results[image]
            record.ready.append(app.ready_seconds)
            if app.spring_seconds is not None:
                record.spring.append(app.spring_seconds)
            record.memory.append(app.memory_bytes)
            if app.stop_seconds is not None:
                record.stop.append(app.stop_seconds)
    return list(results.values())

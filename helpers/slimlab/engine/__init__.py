"""The one door to the Docker engine: connect, check the version, label, clean up.

Nothing above ``build``/``run``/``measure`` imports the Docker SDK; they get a client here.
Everything Slimlab creates carries the label ``slimlab`` (plus the lab and, when grading,
the learner), so one call finds and removes it, even after a kernel restart.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from slimlab import config
from slimlab.errors import EngineUnavailable

if TYPE_CHECKING:
    import docker

LABEL = "slimlab"
KIT_PREFIX = "slimlab-kit/"  # every kit image's repository starts so
MIN_API_VERSION = (1, 41)  # Docker Engine 20.10


def labels(lab: str = "", **extra: str) -> dict[str, str]:
    """The labels every image and container we create carries."""
    result = {LABEL: "true"}
    if lab:
        result["slimlab.lab"] = lab
    if config.learner():
        result["slimlab.learner"] = config.learner()
    result.update({f"slimlab.{k.replace('_', '-')}": v for k, v in extra.items()})
    return result


def _install_hint() -> str:
    return (
        "Start Docker Desktop (macOS, Windows) or the engine (Linux: `sudo systemctl start "
        "docker`; without systemd: `sudo dockerd > /tmp/dockerd.log 2>&1 &`). No engine "
        "installed? On Debian or Ubuntu: `sudo apt-get install docker.io`."
    )


@functools.cache
def client() -> docker.DockerClient:
    """A connected, version-checked client (cached). Raises EngineUnavailable with the fix."""
    import docker
    from docker.errors import DockerException

    try:
        cli = docker.from_env(timeout=600)
        cli.ping()
    except DockerException as exc:
        text = str(exc)
        if "Permission denied" in text or "PermissionError" in text:
            raise EngineUnavailable(
                "Docker is running, but this user may not use its socket.",
                hint="Add yourself to the docker group (`sudo usermod -aG docker $USER`, "
                "then log in again), or run as root.",
                log=text,
            ) from exc
        raise EngineUnavailable(
            "Cannot reach the Docker engine: it is not running or not installed.",
            hint=_install_hint(),
            log=text,
        ) from exc
    check_version(cli.version())
    return cli


def check_version(version: dict) -> None:
    """Refuse engines older than the labs need (the SDK itself would fail obscurely)."""
    api = version.get("ApiVersion", "0.0")
    major, minor = (int(x) for x in api.split(".")[:2])
    if (major, minor) < MIN_API_VERSION:
        need = ".".join(map(str, MIN_API_VERSION))
        raise EngineUnavailable(
            f"Docker Engine {version.get('Version', '?')} speaks API {api}; "
            f"Slimlab needs API {need} (Engine 20.10) or newer.",
            hint="Upgrade Docker (Docker Desktop's updater, or your distribution's docker.io).",
        )


def engine_summary() -> dict[str, str]:
    """Engine facts worth printing at the top of a lab."""
    info = client().info()
    version = client().version()
    return {
        "engine": version.get("Version", "?"),
        "api": version.get("ApiVersion", "?"),
        "storage driver": info.get("Driver", "?"),
        "cpus": str(info.get("NCPU", "?")),
        "memory": f"{info.get('MemTotal', 0) / 2**30:.1f} GiB",
    }


def image_exists(ref: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client().images.get(ref)
    except ImageNotFound:
        return False
    return True


def _filters(lab: str = "", learner: str = "") -> dict:
    wanted = [LABEL]
    if lab:
        wanted.append(f"slimlab.lab={lab}")
    if learner:
        wanted.append(f"slimlab.learner={learner}")
    return {"label": wanted}


def _models(collection, rows: list[dict]) -> list:
    """SDK models from list rows, without inspecting each (an object removed between the
    list and the inspect would raise). Labels sit where the models look for them."""
    models = []
    for attrs in rows:
        attrs.setdefault("Config", {"Labels": attrs.get("Labels") or {}})
        models.append(collection.prepare_model(attrs))
    return models


def containers(lab: str = "", learner: str = "") -> list:
    """Containers labelled slimlab (and the lab's and learner's labels when given)."""
    cli = client()
    return _models(cli.containers, cli.api.containers(all=True, filters=_filters(lab, learner)))


def is_kit(image) -> bool:
    """A kit base image: known by its tag, since images built FROM it inherit its labels."""
    return any(tag.startswith(KIT_PREFIX) for tag in image.tags)


def images(lab: str = "", learner: str = "", include_kit: bool = False) -> list:
    """Images labelled slimlab (kit images only when asked)."""
    cli = client()
    found = _models(cli.images, cli.api.images(filters=_filters(lab, learner)))
    return found if include_kit else [img for img in found if not is_kit(img)]


def cleanup(lab: str = "", learner: str = "", include_kit: bool = False) -> dict[str, int]:
    """Remove every labelled container, then every labelled image (kit images only when
    asked). Returns how many of each went."""
    from docker.errors import APIError, NotFound

    removed = {"containers": 0, "images": 0}
    for container in containers(lab, learner):
        try:
            container.remove(force=True, v=True)
            removed["containers"] += 1
        except NotFound:
            pass
    for image in images(lab, learner, include_kit):
        try:
            client().images.remove(image.id, force=True, noprune=False)
            removed["images"] += 1
        except NotFound:
            pass
        except APIError as exc:  # a child image still uses it: it goes with the child
            if "conflict" not in str(exc).lower():
                raise
    return removed

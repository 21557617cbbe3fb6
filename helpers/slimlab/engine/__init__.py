"""The one door to the Docker engine: connect, check the version, label, find, clean up.

Only this package imports the Docker SDK (the API) or runs the docker CLI (BuildKit builds,
in ``engine.buildx``); a ruff rule enforces it. Everything else asks here for what it
needs (an image's facts, its ``docker save`` stream, a removal) and gets plain data or a
typed Slimlab error. Everything Slimlab creates carries the label ``slimlab`` (plus the
lab and, when grading, the learner), so one call finds and removes it, even after a
kernel restart.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimlab import config
from slimlab.engine import transfer
from slimlab.engine.transfer import LayerEvent, ProgressCallback
from slimlab.errors import EngineUnavailable, ImageMissing, PortBusy, SlimlabError

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

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
        "installed? Install Docker Engine 25 or newer with buildx: Docker's own packages "
        "(docker-ce, docker-buildx-plugin), or on Debian 13: `sudo apt-get install docker.io "
        "docker-buildx` (Debian 12's docker.io is too old)."
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


def sdk_errors() -> tuple[type[BaseException], ...]:
    """The exceptions the Docker SDK (and the HTTP library under it) raise, for a notebook
    that turns them into one short message (see ``short_error``)."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    return (DockerException, RequestException)


def short_error(exc: BaseException) -> SlimlabError:
    """A typed Slimlab error for an SDK exception that reached a notebook unwrapped: a
    timeout, a refused connection, or the engine's own error message."""
    from requests.exceptions import ConnectionError as Refused
    from requests.exceptions import Timeout

    text = str(getattr(exc, "explanation", None) or exc)
    if isinstance(exc, Timeout):
        return SlimlabError("The Docker engine did not answer in time.",
                            hint="It may be busy (a big build or save) or stuck: wait, or "
                            "restart Docker, then run the cell again.", log=text)
    if isinstance(exc, Refused):
        return EngineUnavailable("The connection to the Docker engine was lost.",
                                 hint=_install_hint(), log=text)
    return SlimlabError(f"Docker refused: {text.splitlines()[0] if text else type(exc).__name__}",
                        hint="Read the engine's message; run the lab's earlier cells first if "
                        "an image or container it names is missing.", log=text)


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
    from slimlab.engine.doctor import image_store

    info = client().info()
    version = client().version()
    return {
        "engine": version.get("Version", "?"),
        "api": version.get("ApiVersion", "?"),
        "image store": image_store(info),
        "cpus": str(info.get("NCPU", "?")),
        "memory": f"{info.get('MemTotal', 0) / 2**30:.1f} GiB",
    }


def info() -> dict:
    """``docker info``: CPUs, memory, storage driver, image store."""
    return client().info()


def image_store() -> str:
    """``containerd`` or the graph driver's name (``overlay2``): what the engine keeps
    images in decides what its builder can push (zstd needs containerd)."""
    from slimlab.engine.doctor import image_store as store_of

    return store_of(client().info())


def platform() -> tuple[str, str]:
    """The engine's (os, architecture) as image indexes name them: ("linux", "amd64")."""
    info = client().info()
    arch = info.get("Architecture", "")
    return (info.get("OSType", "linux"), {"x86_64": "amd64", "aarch64": "arm64"}.get(arch, arch))


def pull(ref: str, on_event: ProgressCallback | None = None) -> None:
    """``docker pull REF``, reporting each layer's progress to ``on_event``. Only ever
    asked for explicitly (``slimlab prepare``), never inside a build. A failure raises
    PullFailed naming its cause: offline, proxy, rate limit, unknown tag or login."""
    _transfer(ref, "pull", on_event)


def push(ref: str, on_event: ProgressCallback | None = None) -> dict[str, LayerEvent]:
    """``docker push REF``: each layer's last event by layer id (``Pushed`` or ``Layer
    already exists``, as ``docker push`` prints them)."""
    return _transfer(ref, "push", on_event)


def _transfer(ref: str, verb: str, on_event: ProgressCallback | None) -> dict[str, LayerEvent]:
    from docker.errors import APIError
    from docker.utils import parse_repository_tag
    from requests.exceptions import RequestException

    repository, tag = parse_repository_tag(ref)
    api = client().api
    last: dict[str, LayerEvent] = {}
    try:
        call = api.pull if verb == "pull" else api.push
        for event in transfer.events(call(repository, tag=tag or "latest", stream=True,
                                          decode=True), ref, verb):
            if event.layer:
                last[event.layer] = event
            if on_event:
                on_event(event)
    except APIError as exc:
        raise transfer.transfer_error(ref, str(exc.explanation or exc), verb) from None
    except RequestException as exc:  # the engine itself went away mid-transfer
        raise short_error(exc) from None
    return last


def tag_image(source: str, ref: str) -> None:
    """``docker tag SOURCE REF``."""
    from docker.utils import parse_repository_tag

    repository, tag = parse_repository_tag(ref)
    client().api.tag(source, repository, tag=tag or "latest")


def image_exists(ref: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client().images.get(ref)
    except ImageNotFound:
        return False
    return True


def inspect_image(ref: str) -> dict:
    """``docker image inspect``: Id, RepoTags, RootFS.Layers (diff IDs), Config (User,
    Labels…). Raises ImageMissing when there is no such image."""
    from docker.errors import ImageNotFound

    try:
        return client().api.inspect_image(ref)
    except ImageNotFound as exc:
        raise ImageMissing(f"There is no image {ref} on this engine.",
                           hint="Build it first (the lab's build cell).") from exc


def save_image(ref: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """``docker save REF`` as a stream of chunks: the legacy layout (``<id>/layer.tar``)
    on Engine < 25, the OCI layout (``index.json``, ``blobs/sha256/…``) after; layer
    blobs compressed or not, depending on the image store. ``measure.layers`` reads all."""
    from docker.errors import ImageNotFound

    try:
        response = client().api.get_image(ref, chunk_size=chunk_size)
    except ImageNotFound as exc:
        raise ImageMissing(f"There is no image {ref} on this engine.",
                           hint="Build it first (the lab's build cell).") from exc
    yield from response


def listed_size(ref: str) -> int:
    """The SIZE ``docker images`` shows for an image: the engine's own accounting, which on
    the containerd store adds the compressed content and the unpacked snapshot (inspect's
    ``Size`` there is the compressed content alone)."""
    rows = client().api.images(filters={"reference": ref})
    if not rows:
        raise ImageMissing(f"There is no image {ref} on this engine.",
                           hint="Build it first (the lab's build cell).")
    return int(rows[0].get("Size") or 0)


def load_image(fileobj) -> list[str]:
    """``docker load`` from an open tar file: the ids of the images it held."""
    return [image.id for image in client().images.load(fileobj)]


def remove_image(ref: str, force: bool = True) -> bool:
    """Remove an image (tag or id). False when it was already gone."""
    from docker.errors import NotFound

    try:
        client().images.remove(ref, force=force, noprune=False)
    except NotFound:
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


def run_once(image: str, command: list[str], lab: str = "", timeout: float = 600) -> str:
    """Run a command in a throw-away container and return its output. Never pulls (create
    refuses a missing image), and the container goes on every path, Ctrl+C included."""
    from docker.errors import ImageNotFound

    cli = client()
    try:
        container = cli.containers.create(image, command, labels=labels(lab))
    except ImageNotFound as exc:
        raise ImageMissing(f"There is no image {image} on this engine.",
                           hint="Build it first (`make kit` for kit images).") from exc
    try:
        container.start()
        status = container.wait(timeout=timeout)
        output = container.logs(stdout=True, stderr=True).decode(errors="replace")
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)
    if status.get("StatusCode") != 0:
        from slimlab.errors import ContainerFailed

        raise ContainerFailed(f"`{' '.join(command)[:80]}` in {image} exited with "
                              f"{status.get('StatusCode')}.", log=output[-3000:])
    return output


def create_container(image: str, *, name: str, command: list[str] | None = None,
                     ports: dict | None = None, environment: dict[str, str] | None = None,
                     mem_limit: str | None = None,
                     labels: dict[str, str] | None = None) -> Container:
    """Create (never pull) a container named ``name``; typed errors for a missing image or a
    busy port. The name lets the caller remove it even when Ctrl+C lands mid-create."""
    from docker.errors import ImageNotFound

    try:
        return client().containers.create(
            image, command=command, name=name, ports=ports or {},
            environment=environment or {}, mem_limit=mem_limit, labels=labels or {})
    except ImageNotFound as exc:
        raise ImageMissing(f"There is no image {image}.",
                           hint="Build it first (the lab's build cell).") from exc


def start_container(container) -> None:
    """Start a created container; a busy host port becomes PortBusy."""
    from docker.errors import APIError

    try:
        container.start()
    except APIError as exc:
        text = str(exc)
        if "port is already allocated" in text or "address already in use" in text:
            raise PortBusy("The port asked for on 127.0.0.1 is already in use.",
                           hint="Stop what uses it, or leave port=None for a free one.",
                           log=text) from None
        raise


def container_sizes(container_id: str) -> dict[str, int]:
    """Writable-layer bytes (SizeRw) and everything the container sees (SizeRootFs), from
    the list endpoint, which (unlike inspect in the SDK) can ask for sizes."""
    rows = client().api.containers(all=True, size=True, filters={"id": container_id})
    row = rows[0] if rows else {}
    return {"writable": row.get("SizeRw", 0) or 0, "root fs": row.get("SizeRootFs", 0) or 0}


def container_file_size(container, path: str) -> int:
    """The size of ``path`` in a container (the archive endpoint's stat header, the one
    ``docker cp`` reads); -1 when there is no such file."""
    from docker.errors import NotFound

    try:
        stream, stat = container.get_archive(path)
    except NotFound:
        return -1
    del stream  # only the stat header is wanted; the body is never read
    return int(stat.get("size", -1))


def read_image_file(image: str, path: str, limit: int = 16 << 20) -> bytes | None:
    """The bytes of one file in an image (None when absent), read through a container that
    is created, never started, and removed: works on images without a shell."""
    import io
    import tarfile

    from docker.errors import NotFound

    container = client().containers.create(image, command=["true"], labels=labels("surface"))
    try:
        stream, stat = container.get_archive(path)
        if int(stat.get("size", 0)) > limit:
            return None
        data = b"".join(stream)
    except NotFound:
        return None
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = next((m for m in tar.getmembers() if m.isfile()), None)
        handle = tar.extractfile(member) if member else None
        return handle.read() if handle else None


def object_ids() -> tuple[set[str], set[str]]:
    """The ids of every container and every image on the engine, labelled or not: taken
    before and after a run, their difference is what the run made (``!docker run`` too)."""
    api = client().api
    containers_ = {c["Id"] for c in api.containers(all=True)}
    images_ = {i["Id"] for i in api.images(all=True)}
    return containers_, images_


def remove_container(container_id: str) -> bool:
    """Remove a container (forced, with its anonymous volumes). False when already gone."""
    from docker.errors import APIError, NotFound

    try:
        client().api.remove_container(container_id, force=True, v=True)
    except NotFound:
        return False
    except APIError as exc:  # another remove of it is under way: it goes either way
        if "already in progress" not in str(exc):
            raise
    return True


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

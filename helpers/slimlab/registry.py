"""A registry on 127.0.0.1, run like any lab container: push an image to it and read the
bytes a push really moved from the registry itself, layer by layer.

Profile ``upstream`` runs the distribution project's ``registry`` image; the kit runs
Debian's ``docker-registry`` package (the same project, version 2.8). Engines treat a
registry on 127.0.0.1 as trusted over plain HTTP, so no certificates are involved.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from slimlab import engine
from slimlab.containers import Running, run_container
from slimlab.engine.transfer import LayerEvent
from slimlab.errors import SlimlabError
from slimlab.kit import bases

PORT = 5000  # the registry's port inside its container
REPOSITORY = "slimlab"  # every push lands under 127.0.0.1:PORT/slimlab/…
MANIFEST_TYPES = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
ALREADY_THERE = ("Layer already exists", "Mounted from")  # the prefixes docker push prints


@dataclass(frozen=True)
class LayerPush:
    """One layer of a push: its digest, its size as the registry stores it, and whether
    this push sent it or the registry already had it."""

    digest: str
    bytes: int
    sent: bool
    status: str  # as `docker push` printed it


@dataclass
class Push:
    """What one ``docker push`` moved, in the registry's own byte counts."""

    ref: str
    layers: list[LayerPush] = field(default_factory=list)
    manifest_bytes: int = 0  # the manifest and config blob: sent on every push

    @property
    def sent_bytes(self) -> int:
        return sum(layer.bytes for layer in self.layers if layer.sent) + self.manifest_bytes

    @property
    def stored_bytes(self) -> int:
        """Every layer of the image as compressed in the registry: what a first pull moves."""
        return sum(layer.bytes for layer in self.layers) + self.manifest_bytes

    def rows(self) -> list[dict]:
        return [{"layer": layer.digest.removeprefix("sha256:")[:12], "status": layer.status,
                 "MB": round(layer.bytes / 1e6, 3), "sent": layer.sent}
                for layer in self.layers]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1.0) as reply:
            return reply.status == 200
    except (OSError, urllib.error.URLError):
        return False


class Registry:
    """A running registry at ``host`` (``127.0.0.1:PORT``)."""

    def __init__(self, app: Running) -> None:
        self.app = app
        self.host = f"127.0.0.1:{app.port}"

    def ref(self, name: str, namespace: str = REPOSITORY) -> str:
        """The registry's name for an image: ``127.0.0.1:PORT/<namespace>/<name>:<tag>``,
        never an upstream name."""
        repository, _, tag = name.replace("/", "-").partition(":")
        return f"{self.host}/{namespace}/{repository}:{tag or 'latest'}"

    def push(self, image: str, name: str | None = None, namespace: str = REPOSITORY) -> Push:
        """Push a local image under ``name`` (default: its own name) and report, per layer,
        the bytes the registry stored and whether this push sent them. The temporary tag
        is removed again; the image itself stays."""
        ref = self.ref(name or image, namespace)
        engine.tag_image(image, ref)
        try:
            last = engine.push(ref)
            return self._report(ref, image, last)
        finally:
            engine.remove_image(ref, force=False)

    def manifest(self, ref: str) -> dict:
        """The image manifest the registry holds for ``ref`` (an index resolved to its first
        image manifest, as a pull on this machine's platform would)."""
        name, _, tag = ref.removeprefix(self.host + "/").rpartition(":")
        document, size = self._get_manifest(name, tag)
        if "manifests" in document:  # an index: follow it to an image manifest
            wanted = [m for m in document["manifests"]
                      if (m.get("platform") or {}).get("os") not in (None, "unknown")]
            document, size = self._get_manifest(name, (wanted or document["manifests"])[0]
                                                ["digest"])
        document["_bytes"] = size
        return document

    def stored(self, ref: str) -> Push:
        """What the registry holds for ``ref``, layer by layer (a push made elsewhere, e.g.
        by BuildKit straight from a build)."""
        manifest = self.manifest(ref)
        push = Push(ref, manifest_bytes=manifest["_bytes"] + manifest["config"]["size"])
        push.layers = [LayerPush(layer["digest"], int(layer["size"]), True, "Pushed")
                       for layer in manifest["layers"]]
        return push

    def _get_manifest(self, name: str, reference: str) -> tuple[dict, int]:
        url = f"http://{self.host}/v2/{name}/manifests/{reference}"
        request = urllib.request.Request(url, headers={"Accept": MANIFEST_TYPES})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                body = reply.read()
        except (OSError, urllib.error.URLError) as exc:
            raise SlimlabError(f"The registry at {self.host} did not return {name}:{reference}.",
                               hint="Run the cell again; if it repeats, restart the kernel.",
                               log=str(exc)) from None
        return json.loads(body), len(body)

    def _report(self, ref: str, image: str, last: dict[str, LayerEvent]) -> Push:
        manifest = self.manifest(ref)
        diff_ids = engine.inspect_image(image).get("RootFS", {}).get("Layers", [])
        push = Push(ref, manifest_bytes=manifest["_bytes"] + manifest["config"]["size"])
        for index, layer in enumerate(manifest["layers"]):
            # the engine names a layer by its diff id (overlay2) or its blob digest
            # (containerd store), both cut to 12 characters
            keys = {layer["digest"].removeprefix("sha256:")[:12]}
            if index < len(diff_ids):
                keys.add(diff_ids[index].removeprefix("sha256:")[:12])
            event = next((last[k] for k in keys if k in last), None)
            status = event.status if event else "Layer already exists"
            push.layers.append(LayerPush(layer["digest"], int(layer["size"]),
                                         not status.startswith(ALREADY_THERE), status))
        return push


@contextmanager
def registry(lab: str = "") -> Iterator[Registry]:
    """Start a registry on a free port of 127.0.0.1 and remove it (with everything pushed
    to it) on exit, Ctrl+C included."""
    image = bases.resolve("REGISTRY_IMAGE").image
    with run_container(image, lab=lab, container_port=PORT, ready=_answers,
                       timeout=60) as app:
        yield Registry(app)

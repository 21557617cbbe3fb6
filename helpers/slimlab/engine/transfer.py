"""Pull and push through the engine, as a stream of per-layer events.

``docker pull`` and ``docker push`` report one JSON event per layer and step; this module
turns them into :class:`LayerEvent` values for a progress display, and turns the engine's
error text into one typed error per cause (offline, proxy, rate limit, unknown tag, login),
each with its own fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from slimlab.errors import PullFailed


@dataclass(frozen=True)
class LayerEvent:
    """One progress event: a layer's short id, its status, and bytes done of total."""

    layer: str
    status: str  # Downloading, Pushing, Pushed, Layer already exists, Already exists…
    current: int = 0
    total: int = 0


def events(stream: Iterator[dict], ref: str, verb: str) -> Iterator[LayerEvent]:
    """The engine's JSON events as LayerEvents; an error event raises PullFailed."""
    for event in stream:
        if "error" in event:
            raise transfer_error(ref, str(event.get("error")), verb)
        detail = event.get("progressDetail") or {}
        yield LayerEvent(str(event.get("id", "")), str(event.get("status", "")),
                         int(detail.get("current") or 0), int(detail.get("total") or 0))


# (substring of the engine's message, what it means, what to do); first match wins
_CAUSES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("toomanyrequests", "rate limit"),
     "the registry's rate limit for anonymous pulls was reached",
     "Wait (Docker Hub's limit resets within hours), `docker login` for a higher limit, "
     "or load the classroom bundle (`slimlab bundle load FILE`)."),
    (("proxyconnect", "proxy"),
     "the engine's proxy refused or could not reach the registry",
     "Set the proxy where the engine reads it (Docker Desktop: Settings → Resources → "
     "Proxies; Linux: dockerd's HTTPS_PROXY), not only in your shell."),
    (("unauthorized", "authentication required", "denied"),
     "the registry wants a login for this image",
     "Run `docker login` for that registry, then try again."),
    (("manifest unknown", "not found", "does not exist", "no such manifest",
      "name unknown"),
     "the registry has no such image or tag",
     "Check the name and tag (a typo, or a tag that was never published)."),
    (("no such host", "connection refused", "network is unreachable", "i/o timeout",
      "tls handshake timeout", "dial tcp", "lookup ", "timeout exceeded",
      "server misbehaving", "connection reset"),
     "no registry answered (offline, or a firewall)",
     "Connect to the internet and run `make lab` again; offline, load the classroom "
     "bundle (`slimlab bundle load FILE`) or, on Linux, build the kit (`make kit`)."),
)


def transfer_error(ref: str, text: str, verb: str = "pull") -> PullFailed:
    """One typed error for an engine's pull or push failure, its cause named."""
    lowered = text.lower()
    for needles, cause, hint in _CAUSES:
        if any(needle in lowered for needle in needles):
            return PullFailed(f"Cannot {verb} {ref}: {cause}.", hint=hint, log=text,
                              cause=cause)
    return PullFailed(f"Cannot {verb} {ref}.", hint="Read the engine's message below.",
                      log=text, cause="")


ProgressCallback = Callable[[LayerEvent], None]


def download_size(ref: str, platform: tuple[str, str]) -> int | None:
    """The compressed bytes a pull of ``ref`` would download for ``(os, architecture)``,
    from the registry's manifest (``docker manifest inspect -v``); None when the registry
    cannot be asked. Layers the engine already holds are not downloaded again."""
    import json
    import shutil
    import subprocess

    if shutil.which("docker") is None:
        return None
    try:
        done = subprocess.run(["docker", "manifest", "inspect", "--insecure", "-v", ref],
                              capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return None
    try:
        return manifest_size(json.loads(done.stdout), platform)
    except (ValueError, KeyError, TypeError):
        return None


def manifest_size(document: dict | list, platform: tuple[str, str]) -> int | None:
    """Sum of the layer and config sizes in ``docker manifest inspect -v`` output: one
    object for a single manifest, a list (one per platform) for an index."""
    entries = document if isinstance(document, list) else [document]
    for entry in entries:
        wanted = (entry.get("Descriptor") or {}).get("platform") or {}
        if isinstance(document, list) and (wanted.get("os"), wanted.get("architecture")) \
                != platform:
            continue
        manifest = entry.get("SchemaV2Manifest") or entry.get("OCIManifest") or {}
        if "layers" in manifest:
            return sum(int(layer["size"]) for layer in manifest["layers"]) + int(
                manifest["config"]["size"])
    return None

"""Base images: what each lab Dockerfile's build argument means upstream and in the kit.

Every lab Dockerfile names its bases through build arguments whose defaults are the real
upstream images. Profile ``upstream`` keeps those defaults, ``kit`` passes the locally built
stand-ins, and ``auto`` takes an upstream image where it is present locally, else the kit's.
A kit image never carries an upstream name: figures measured on it are marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from slimlab import config, engine
from slimlab.errors import BaseImageMissing


@dataclass(frozen=True)
class Base:
    """One build argument, its upstream default and the kit image that stands in for it."""

    arg: str
    upstream: str
    kit: str
    what: str
    kit_note: str = ""


KIT_PREFIX = engine.KIT_PREFIX

BASES: tuple[Base, ...] = (
    Base("OS_IMAGE", "debian:trixie-slim", KIT_PREFIX + "os:trixie", "a slim Debian"),
    Base("JDK_IMAGE", "eclipse-temurin:25-jdk", KIT_PREFIX + "jdk:25",
         "a JDK 25 with jlink", "this machine's Temurin 25, or Debian's OpenJDK 25"),
    Base("MAVEN_IMAGE", "maven:3.9-eclipse-temurin-25", KIT_PREFIX + "maven:3.9-jdk25",
         "Maven 3.9 on a JDK 25",
         "Apache Maven 3.9 on the kit's JDK 25 image (this machine's Temurin, or Debian's)"),
    Base("JRE_IMAGE", "eclipse-temurin:25-jre", KIT_PREFIX + "jre:25",
         "a JRE 25", "Debian's OpenJDK 25 JRE, not Temurin"),
    Base("JRE_SMALL_IMAGE", "eclipse-temurin:25-jre-alpine", KIT_PREFIX + "jre-small:25",
         "a JRE 25 on the smallest OS base",
         "not Alpine: a JRE on a minimal glibc base (musl images cannot be had here)"),
    Base("RUNTIME_BASE_IMAGE", "gcr.io/distroless/java-base-debian13:nonroot",
         KIT_PREFIX + "distroless:trixie",
         "a distroless base (libc, zlib, certificates, time zones; no shell)",
         "distroless-style, assembled from the same Debian packages"),
    Base("REGISTRY_IMAGE", "registry:3", KIT_PREFIX + "registry:2",
         "a container registry on 127.0.0.1, for the bytes a push really moves",
         "Debian's docker-registry package (distribution 2.8), not registry:3"),
    Base("NATIVE_BUILDER_IMAGE", "ghcr.io/graalvm/native-image-community:25", "",
         "GraalVM's native-image builder",
         "it cannot be assembled from Debian or Maven Central packages"),
)

BY_ARG = {b.arg: b for b in BASES}


@dataclass(frozen=True)
class Resolved:
    """Which image a build argument resolved to, and whether it is a stand-in."""

    arg: str
    image: str
    source: str  # "upstream" or "kit"
    note: str = ""


def _upstream(base: Base) -> Resolved:
    if not engine.image_exists(base.upstream):
        raise BaseImageMissing(
            f"{base.upstream} ({base.what}) is not on this machine, and a build never pulls.",
            hint="Run `make lab` (or `slimlab prepare`), which pulls the base images with "
            "progress; or use the kit: SLIMLAB_PROFILE=kit and `make kit`.",
        )
    return Resolved(base.arg, base.upstream, "upstream")


def _kit(base: Base) -> Resolved:
    if not base.kit:
        raise BaseImageMissing(
            f"{base.upstream} ({base.what}) is not on this machine, and the kit has no "
            f"stand-in: {base.kit_note}.",
            hint=f"With a registry: `docker pull {base.upstream}`. Without one this stage "
            "cannot be built here.",
        )
    if not engine.image_exists(base.kit):
        raise BaseImageMissing(
            f"The kit image {base.kit} ({base.what}) has not been built yet.",
            hint="Build the kit once: `make kit` (or `slimlab kit build`).",
        )
    labels = (engine.inspect_image(base.kit).get("Config") or {}).get("Labels") or {}
    return Resolved(base.arg, base.kit, "kit", labels.get("slimlab.kit-note") or base.kit_note)


def resolve(arg: str, profile: str | None = None) -> Resolved:
    """The image to pass for one build argument under a profile (default: SLIMLAB_PROFILE);
    ``auto`` takes the upstream image where it is here, else the kit's."""
    return resolve_all([arg], profile)[0]


def resolve_all(args: list[str], profile: str | None = None) -> list[Resolved]:
    """The images for every base argument of one Dockerfile, all from one source: under
    ``auto``, upstream when every upstream image is here, else the kit, never a mix (a
    trixie-built runtime on a Debian 12 base would measure neither)."""
    wanted = [BY_ARG[arg] for arg in args]
    profile = profile or config.profile()
    if profile == "upstream" or (
            profile == "auto" and all(engine.image_exists(b.upstream) for b in wanted)):
        return [_upstream(b) for b in wanted]
    return [_kit(b) for b in wanted]


def available(arg: str, profile: str | None = None) -> bool:
    """True when a build argument resolves to an image this engine has."""
    try:
        resolve(arg, profile)
    except BaseImageMissing:
        return False
    return True

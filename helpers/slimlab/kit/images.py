"""Build the kit: base images made from Debian trixie packages, standing in for the
upstream images where no registry can be reached.

Each kit image lives under its own ``slimlab-kit/…`` name (never an upstream name) with
labels saying which upstream image it stands in for, which Debian packages (with
versions) it holds, and the recipe it was built from. A second run whose recipes match
is a no-op; ``force=True`` rebuilds.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from slimlab import config, engine
from slimlab.builder import build_image
from slimlab.errors import ImageMissing, KitError
from slimlab.kit import debian, maven, temurin
from slimlab.kit.bases import BY_ARG

DOCKERFILES = Path(__file__).parent / "dockerfiles"


@dataclass(frozen=True)
class KitImage:
    name: str  # folder under dockerfiles/
    arg: str  # the lab build argument it serves
    packages: tuple[str, ...] = ()  # Debian packages installed (pinned at build time)
    parents: tuple[str, ...] = ()  # build arguments filled with other kit images
    folder: str = ""  # its Dockerfile's folder under dockerfiles/, when not its name

    @property
    def dockerfile(self) -> Path:
        return DOCKERFILES / (self.folder or self.name) / "Dockerfile"

    @property
    def tag(self) -> str:
        return BY_ARG[self.arg].kit


# In build order: every image's parents come before it.
KIT: tuple[KitImage, ...] = (
    KitImage("os", "OS_IMAGE"),
    KitImage("jdk", "JDK_IMAGE", ("openjdk-25-jdk-headless", "binutils"), ("OS_IMAGE",)),
    # `jdk` becomes `jdk-temurin` where the machine has a Temurin 25 (see _variant)
    KitImage("maven", "MAVEN_IMAGE", (), ("JDK_IMAGE",)),
    KitImage("jre", "JRE_IMAGE", ("openjdk-25-jre-headless",), ("OS_IMAGE",)),
    KitImage("distroless", "RUNTIME_BASE_IMAGE",
             ("libc6", "libgcc-s1", "libstdc++6", "zlib1g", "ca-certificates", "tzdata",
              "netbase", "base-files"), ("OS_IMAGE",)),
    KitImage("jre-small", "JRE_SMALL_IMAGE", (), ("JRE_IMAGE", "RUNTIME_BASE_IMAGE")),
    KitImage("registry", "REGISTRY_IMAGE", ("docker-registry",), ("OS_IMAGE",)),
)
BY_NAME = {k.name: k for k in KIT}
TEMURIN_JDK = KitImage("jdk", "JDK_IMAGE", ("binutils", "ca-certificates", "p11-kit"),
                       ("OS_IMAGE",), folder="jdk-temurin")


def _variant(image: KitImage) -> KitImage:
    """The recipe an image is built from here: the JDK is this machine's Temurin 25 when
    it has one (what attendees get upstream), else Debian's OpenJDK 25."""
    if image.name == "jdk" and temurin.host_temurin() is not None:
        return TEMURIN_JDK
    return image


def _note(image: KitImage) -> str:
    base = BY_ARG[image.arg]
    if image is TEMURIN_JDK:
        home = temurin.host_temurin()
        return (f"{temurin.build_name(home) if home else 'Temurin 25'} from this machine, at "
                "upstream's path, on a Debian trixie base (upstream: Ubuntu)")
    return base.kit_note or f"built from Debian {debian.SUITE} packages"


@dataclass
class KitReport:
    name: str
    tag: str
    built: bool
    seconds: float
    size: int

    def line(self) -> str:
        what = "built" if self.built else "present"
        return (f"{self.tag:32} {what:8} {self.seconds:6.1f} s "
                f"{self.size / 1e6:8.1f} MB")


def _recipe(image: KitImage, extra: str = "") -> str:
    image = _variant(image)
    digest = hashlib.sha256(image.dockerfile.read_bytes())
    if image is TEMURIN_JDK:
        home = temurin.host_temurin()
        digest.update(temurin.build_name(home).encode() if home else b"")
    digest.update(" ".join(image.packages).encode())
    base = BY_ARG[image.arg]  # its labels are part of it: a new upstream name rebuilds it
    digest.update(f"{base.upstream}\n{base.kit_note}".encode())
    for arg in image.parents:  # the parent's layers: the same after a save and load into
        # another engine or image store, where the image id may differ (index vs config)
        parent = engine.inspect_image(BY_ARG[arg].kit)
        digest.update(" ".join(parent.get("RootFS", {}).get("Layers", [])).encode())
    digest.update(extra.encode())
    return digest.hexdigest()[:16]


def _current(image: KitImage, recipe: str) -> bool:
    try:
        found = engine.inspect_image(image.tag)
    except ImageMissing:
        return False
    return ((found.get("Config") or {}).get("Labels") or {}).get("slimlab.kit-recipe") == recipe


def pin_versions(packages: tuple[str, ...]) -> list[str]:
    """``name=version`` for each package, as the kit OS's apt sees them today."""
    script = (
        "apt-get update -qq >/dev/null && for p in " + " ".join(packages) + "; do "
        "v=$(apt-cache show --no-all-versions \"$p\" | sed -n 's/^Version: //p' | head -n1); "
        "echo \"$p=$v\"; done"
    )
    out = engine.run_once(BY_ARG["OS_IMAGE"].kit, ["bash", "-c", script], lab="kit")
    pins = out.split()
    missing = [p for p in pins if p.endswith("=")]
    if missing:
        raise KitError(f"Debian {debian.SUITE} has no package {', '.join(missing)}.",
                       hint="Check the Debian mirror (SLIMLAB_DEBIAN_MIRROR).")
    return pins


def _build_os(image: KitImage, recipe: str) -> None:
    with tempfile.TemporaryDirectory(prefix="slimlab-os-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        debian.debootstrap(rootfs)
        context = Path(tmp) / "context"
        context.mkdir()
        debian.tar_rootfs(rootfs, context / "rootfs.tar")
        shutil.rmtree(rootfs)
        build_image(image.dockerfile, image.tag, context=context,
              use_mirror=False, lab="kit", quiet=True,
              extra_labels=_labels(image, recipe, [f"debootstrap minbase {debian.SUITE}"]))


def _labels(image: KitImage, recipe: str, packages: list[str]) -> dict[str, str]:
    base = BY_ARG[image.arg]
    return {
        "kit": image.name,
        "kit_recipe": recipe,
        "stands_in_for": base.upstream,
        "kit_note": _note(image),
        "debian_packages": " ".join(packages),
    }


def _build_one(image: KitImage, recipe: str) -> None:
    if image.name == "os":
        _build_os(image, recipe)
        return
    image = _variant(image)
    args = {arg: BY_ARG[arg].kit for arg in image.parents}
    pins: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"slimlab-{image.name}-") as tmp:
        context = Path(tmp)
        if image.packages:
            pins = pin_versions(image.packages)
            args["PACKAGES"] = " ".join(pins)
        if image is TEMURIN_JDK:
            home = temurin.host_temurin()
            if home is None:  # gone between the recipe and the build
                raise KitError("The machine's Temurin 25 JDK disappeared during the build.",
                               hint="Run `make kit` again.")
            shutil.copytree(home, context / "openjdk", symlinks=True)
            trust_store = context / "openjdk" / "lib" / "security" / "cacerts"
            if trust_store.is_symlink():  # a link to the machine's store: never into an
                trust_store.unlink()  # image (the Dockerfile makes one from Debian's)
            pins.append(f"{temurin.build_name(home)} (this machine's JDK)")
        if image.name == "maven":
            shutil.copy(maven.distribution(), context / "apache-maven-bin.tar.gz")
            args["MAVEN_VERSION"] = config.maven_version()
            pins = [f"apache-maven {args['MAVEN_VERSION']} (Maven's own distribution)"]
        if not pins:  # made only from other kit images (jre-small): say so, not ""
            pins = ["as in " + " + ".join(BY_ARG[arg].kit for arg in image.parents)]
        build_image(image.dockerfile, image.tag, context=context,
              buildargs=args, use_mirror=False, lab="kit", quiet=True,
              extra_labels=_labels(image, recipe, pins))


def build_kit(force: bool = False, only: list[str] | None = None,
              echo=print) -> list[KitReport]:
    """Build every kit image that is missing or stale (all of them with ``force``)."""
    reports: list[KitReport] = []
    wanted = set(only or BY_NAME)
    for image in KIT:
        if image.name not in wanted:
            continue
        started = time.monotonic()
        extra = config.maven_version() if image.name == "maven" else ""
        try:
            recipe = _recipe(image, extra)
        except ImageMissing as exc:  # a parent is missing: build the parents first
            raise KitError(f"{image.tag} needs {', '.join(image.parents)} first.",
                           hint="Run `make kit` without --only.") from exc
        built = force or not _current(image, recipe)
        if built:
            echo(f"kit: building {image.tag} …")
            _build_one(image, recipe)
        size = engine.listed_size(image.tag)  # as `docker images` shows it
        report = KitReport(image.name, image.tag, built, time.monotonic() - started, size)
        echo("kit: " + report.line())
        reports.append(report)
    return reports


def kit_images() -> list[dict[str, str]]:
    """What the kit holds now: tag, stand-in for, packages (for a table)."""
    rows = []
    for image in KIT:
        if engine.image_exists(image.tag):
            labels = (engine.inspect_image(image.tag).get("Config") or {}).get("Labels") or {}
            rows.append({
                "image": image.tag,
                "stands in for": labels.get("slimlab.stands-in-for", ""),
                "note": labels.get("slimlab.kit-note", ""),
                "packages": labels.get("slimlab.debian-packages", ""),
            })
    return rows

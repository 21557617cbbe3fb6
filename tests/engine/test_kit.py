"""The kit on this engine: a second build_kit() is a no-op, labels say what each image is,
and no upstream name points at a kit image."""

from __future__ import annotations

import time

import pytest
from slimlab.kit import images as kit_images
from slimlab.kit.bases import BASES, BY_ARG
from slimlab.kit.images import KIT, build_kit

pytestmark = pytest.mark.engine

UPSTREAM_PREFIXES = (*sorted({b.upstream.split(":")[0] + ":" for b in BASES}),
                     "eclipse-temurin", "maven:", "debian:", "gcr.io/distroless",
                     "ghcr.io/graalvm")


@pytest.fixture(scope="module")
def kit(engine):
    missing = [k.tag for k in KIT if not engine.images.list(name=k.tag)]
    if missing:
        pytest.fail(f"the kit is not built ({', '.join(missing)} missing): run `make kit`",
                    pytrace=False)
    return {k.tag: engine.images.get(k.tag) for k in KIT}


def test_second_build_kit_is_a_fast_no_op(kit):
    # Refuse to start a real rebuild (minutes of apt) from a test: say the kit is stale.
    stale = [k.tag for k in KIT if not kit_images._current(
        k, kit_images._recipe(k, kit_images.config.maven_version() if k.name == "maven" else ""))]
    assert not stale, f"stale kit images, build_kit() would rebuild: {stale}; run `make kit`"
    lines: list[str] = []
    started = time.monotonic()
    reports = build_kit(echo=lines.append)
    seconds = time.monotonic() - started
    print(f"build_kit() with everything present: {seconds:.2f} s")
    assert [r.tag for r in reports] == [k.tag for k in KIT]
    assert not any(r.built for r in reports), lines
    assert all(" present " in line for line in lines), lines
    assert seconds < 20
    assert {r.tag: kit[r.tag].id for r in reports} == {
        k.tag: kit_images.engine.client().images.get(k.tag).id for k in KIT}  # nothing new


@pytest.mark.parametrize("image", KIT, ids=lambda k: k.name)
def test_kit_labels(kit, image):
    labels = kit[image.tag].labels
    assert labels.get("slimlab.kit") == image.name
    assert labels.get("slimlab.stands-in-for") == BY_ARG[image.arg].upstream
    assert labels.get("slimlab.kit-recipe")
    packages = labels.get("slimlab.debian-packages")
    assert packages is not None, "no slimlab.debian-packages label"
    assert packages.strip(), (
        f"{image.tag} says nothing about its packages; rebuild it: "
        f"`slimlab kit build --force --only {image.name}`")
    for package in kit_images._variant(image).packages:  # pinned: name=version
        assert f"{package}=" in packages


def test_the_kit_jdk_is_this_machines_temurin_without_its_trust_store(kit):
    """Where the machine has a Temurin 25, the kit's JDK is that build at upstream's path;
    its trust store is made from Debian's ca-certificates, never the machine's."""
    from slimlab import engine as slim_engine
    from slimlab.kit import temurin

    home = temurin.host_temurin()
    if home is None:
        pytest.skip("no Temurin 25 on this machine: the kit's JDK is Debian's OpenJDK")
    jdk = BY_ARG["JDK_IMAGE"].kit
    release = slim_engine.read_image_file(jdk, "/opt/java/openjdk/release")
    assert release is not None and temurin.build_name(home).encode() in release
    store = slim_engine.read_image_file(jdk, "/opt/java/openjdk/lib/security/cacerts")
    assert store, "the kit JDK has no trust store"
    machine = (home / "lib" / "security" / "cacerts").resolve()
    if machine.is_file():
        assert store != machine.read_bytes(), "the machine's trust store is in the image"
    out = slim_engine.run_once(jdk, ["jlink", "--add-modules", "java.base", "--strip-debug",
                                     "--output", "/tmp/runtime"], lab="pytest")
    assert "Error" not in out  # jlink from the run-time image (no jmods), as upstream


def test_no_upstream_name_points_at_a_kit_image(engine, kit):
    kit_ids = {img.id for img in kit.values()}
    offenders = [(tag, img.id[:19]) for img in engine.images.list() for tag in img.tags
                 if img.id in kit_ids and tag.startswith(UPSTREAM_PREFIXES)]
    assert not offenders, f"upstream names on kit images: {offenders}"
    for img in kit.values():
        assert all(t.startswith("slimlab-kit/") for t in img.tags), img.tags


def test_kit_images_table(kit):
    rows = kit_images.kit_images()
    assert [r["image"] for r in rows] == [k.tag for k in KIT]
    assert all(r["stands in for"] for r in rows)

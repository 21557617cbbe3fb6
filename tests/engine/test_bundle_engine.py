"""The classroom bundle on a real engine: what this engine's ``docker save`` writes (the
legacy layout, or the OCI layout of Engine 25+ from either image store) passes the bundle's
checks, and a round trip loads the very image. Every kind of damage is refused in
tests/unit/test_bundle.py, on synthetic tars of each layout. The Maven repository is a tiny
fake one under tmp_path (never the real SLIMLAB_MAVEN_REPO)."""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid

import pytest
from conftest import TEST_LAB, remove_image
from slimlab.builder import build_image
from slimlab.engine import inspect_image as engine_inspect
from slimlab.errors import BundleError
from slimlab.kit import bundle
from slimlab.kit.bases import KIT_PREFIX

pytestmark = pytest.mark.engine


def kit_tag(name: str) -> str:
    """A throw-away tag under slimlab-kit/: a bundle carries kit images only."""
    return f"{KIT_PREFIX}pytest-{name}:{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def saved(engine, tmp_path_factory):
    """A bundle of one tiny labelled image and a fake repository; the image is removed
    again, so every test starts without it."""
    tmp = tmp_path_factory.mktemp("bundle")
    context = tmp / "context"
    context.mkdir()
    (context / "hello.txt").write_text(f"bundle {uuid.uuid4().hex}\n")  # a new image id
    (tmp / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /hello.txt\n")
    tag = kit_tag("bundle")
    result = build_image(tmp / "Dockerfile", tag, context=context, lab=TEST_LAB, use_mirror=False,
                   quiet=True)
    repo = tmp / "repo"
    jar = repo / "org/example/demo/1.0/demo-1.0.jar"
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"PK fake jar " * 100)
    (repo / ".slimlab-primed").write_text("recipe123\n")
    try:
        layers = " ".join(engine_inspect(tag)["RootFS"]["Layers"])
        manifest = bundle.save(tmp / "out", images=[tag], repo=repo)
    finally:
        remove_image(engine, tag)
    return {"dir": tmp / "out", "tag": tag, "id": result.image_id, "manifest": manifest,
            "repo": repo, "layers": layers}


@pytest.fixture
def target_repo(tmp_path, monkeypatch):
    """Where load unpacks the repository: a tmp path, never the real one."""
    path = tmp_path / "home" / "maven-repo"
    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SLIMLAB_MAVEN_REPO", str(path))
    return path


@pytest.fixture
def copy(saved, tmp_path):
    """A private copy of the bundle to damage."""
    dest = tmp_path / "copy"
    shutil.copytree(saved["dir"], dest)
    return dest


def image_present(engine, image_id: str) -> bool:
    return bool([i for i in engine.images.list(all=True) if i.id == image_id])


def test_saved_bundle_layout(saved):
    out, manifest = saved["dir"], saved["manifest"]
    names = sorted(p.name for p in out.iterdir())
    image_file = manifest.images[0]["file"]
    assert names == sorted([image_file, bundle.REPO_FILE, bundle.MANIFEST])
    data = json.loads((out / bundle.MANIFEST).read_text())
    layers = saved["layers"]
    assert data["images"] == [{"tag": saved["tag"], "id": saved["id"], "file": image_file,
                               "layers": layers}]
    assert layers.startswith("sha256:")  # diff IDs: the same on every image store
    assert data["maven_repo_recipe"] == "recipe123"
    assert data["slimlab_version"] == manifest.slimlab_version != ""
    for name, meta in data["files"].items():
        raw = (out / name).read_bytes()
        assert meta == {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]  # no temp left
    assert "1 images, the Maven repository" in str(manifest)


def test_this_engines_save_passes_the_checks(saved):
    """Whichever layout and image store this engine has, its tar verifies as it is."""
    assert bundle.verify(saved["dir"]).images == saved["manifest"].images


def test_round_trip(engine, saved, copy, target_repo):
    assert not image_present(engine, saved["id"])
    try:
        manifest = bundle.load(copy)
        image = engine.images.get(saved["tag"])
        assert image.id == saved["id"]
        assert image.labels["slimlab.lab"] == TEST_LAB
    finally:
        remove_image(engine, saved["tag"])
    assert manifest.images == saved["manifest"].images
    jar = "org/example/demo/1.0/demo-1.0.jar"
    assert (target_repo / jar).read_bytes() == (saved["repo"] / jar).read_bytes()
    assert (target_repo / ".slimlab-primed").read_text() == "recipe123\n"
    assert [p.name for p in target_repo.parent.iterdir()] == ["maven-repo"]  # no temp left


def test_load_replaces_an_existing_repository(engine, saved, copy, target_repo):
    target_repo.mkdir(parents=True)
    (target_repo / "stale.txt").write_text("old")
    try:
        bundle.load(copy)
    finally:
        remove_image(engine, saved["tag"])
    assert not (target_repo / "stale.txt").exists()
    assert (target_repo / "org/example/demo/1.0/demo-1.0.jar").exists()


def test_save_refuses_an_image_the_engine_lacks(engine, saved, tmp_path):
    with pytest.raises(BundleError, match="no image"):
        bundle.save(tmp_path / "b", images=[kit_tag("absent")], repo=saved["repo"])
    assert not (tmp_path / "b").exists()
    assert not list(tmp_path.glob(".b.partial-*"))  # the crash left nothing behind


# ------------------------------------------------------------------------------ damage
# Every kind of damage, on synthetic tars of each layout: tests/unit/test_bundle.py. Here
# one, to see a real engine left untouched.
def test_a_damaged_bundle_loads_nothing(engine, saved, copy, target_repo):
    name = saved["manifest"].images[0]["file"]
    path = copy / name
    path.write_bytes(path.read_bytes()[:-3000])
    raw = path.read_bytes()
    manifest = json.loads((copy / bundle.MANIFEST).read_text())
    manifest["files"][name].update(size=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    (copy / bundle.MANIFEST).write_text(json.dumps(manifest))
    try:
        with pytest.raises(BundleError, match="truncated"):
            bundle.load(copy)
    finally:
        loaded = image_present(engine, saved["id"])
        remove_image(engine, saved["tag"])
    assert not loaded, "an image was loaded from a damaged bundle"
    assert not target_repo.exists() and not list(target_repo.parent.glob(".maven-repo*"))


def test_default_images_are_every_kit_tag(engine):
    from slimlab.kit.images import KIT

    # save(dir) without images= bundles these (the full kit is ~2 GB: not saved here)
    assert bundle.kit_tags() == sorted(k.tag for k in KIT)

"""The classroom bundle: a round trip on a tiny image, and every kind of damage refused
with nothing loaded. The Maven repository is a tiny fake one under tmp_path (never the
real SLIMLAB_MAVEN_REPO)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import uuid

import pytest
from conftest import TEST_LAB, remove_image, unique_tag
from slimlab.build import build
from slimlab.errors import BundleError
from slimlab.kit import bundle

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def saved(engine, tmp_path_factory):
    """A bundle of one tiny labelled image and a fake repository; the image is removed
    again, so every test starts without it."""
    tmp = tmp_path_factory.mktemp("bundle")
    context = tmp / "context"
    context.mkdir()
    (context / "hello.txt").write_text(f"bundle {uuid.uuid4().hex}\n")  # a new image id
    (tmp / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /hello.txt\n")
    tag = unique_tag("bundle")
    result = build(tmp / "Dockerfile", tag, context=context, lab=TEST_LAB, use_mirror=False,
                   quiet=True)
    repo = tmp / "repo"
    jar = repo / "org/example/demo/1.0/demo-1.0.jar"
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"PK fake jar " * 100)
    (repo / ".slimlab-primed").write_text("recipe123\n")
    try:
        manifest = bundle.save(tmp / "out", images=[tag], repo=repo)
    finally:
        remove_image(engine, tag)
    return {"dir": tmp / "out", "tag": tag, "id": result.image_id, "manifest": manifest,
            "repo": repo}


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
    assert data["images"] == [{"tag": saved["tag"], "id": saved["id"], "file": image_file}]
    assert data["maven_repo_recipe"] == "recipe123"
    assert data["slimlab_version"] == manifest.slimlab_version != ""
    for name, meta in data["files"].items():
        raw = (out / name).read_bytes()
        assert meta == {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]  # no temp left
    assert "1 images, the Maven repository" in str(manifest)


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


def test_save_refuses_a_non_empty_folder_and_missing_images(saved, tmp_path):
    with pytest.raises(BundleError, match="not empty"):
        bundle.save(saved["dir"], images=[saved["tag"]], repo=saved["repo"])
    with pytest.raises(BundleError, match="no image"):
        bundle.save(tmp_path / "b", images=["slimlab-test/absent:none"], repo=saved["repo"])
    assert not (tmp_path / "b").exists()
    assert not list(tmp_path.glob(".b.partial-*"))  # the crash left nothing behind


# ------------------------------------------------------------------------------ damage
def rewrite_manifest(bundle_dir, change) -> None:
    path = bundle_dir / bundle.MANIFEST
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def rehash(bundle_dir, name) -> None:
    """Make the manifest agree with a damaged file: only the tar checks can catch it."""
    raw = (bundle_dir / name).read_bytes()
    rewrite_manifest(bundle_dir, lambda d: d["files"][name].update(
        size=len(raw), sha256=hashlib.sha256(raw).hexdigest()))


def image_file(saved) -> str:
    return saved["manifest"].images[0]["file"]


def flip_byte(path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


def corrupt_image_byte(d, s):
    flip_byte(d / image_file(s), 1500)


def corrupt_repo_byte(d, s):
    flip_byte(d / bundle.REPO_FILE, 700)


def remove_repo_tar(d, s):
    (d / bundle.REPO_FILE).unlink()


def remove_manifest(d, s):
    (d / bundle.MANIFEST).unlink()


def add_extra_file(d, s):
    (d / "notes.txt").write_text("not in the manifest")


def lie_about_size(d, s):
    rewrite_manifest(d, lambda m: m["files"][bundle.REPO_FILE].update(size=12345))


def lie_about_hash(d, s):
    rewrite_manifest(d, lambda m: m["files"][bundle.REPO_FILE].update(sha256="0" * 64))


def lie_about_tag(d, s):
    rewrite_manifest(d, lambda m: m["images"][0].update(tag="slimlab-kit/jre:25"))


def lie_about_id(d, s):
    rewrite_manifest(d, lambda m: m["images"][0].update(id="sha256:" + "1" * 64))


def truncate_image_tar(d, s):
    path = d / image_file(s)
    path.write_bytes(path.read_bytes()[:-3000])


def truncate_image_tar_and_lie(d, s):
    truncate_image_tar(d, s)
    rehash(d, image_file(s))


def truncate_repo_at_a_member_and_lie(d, s):
    path = d / bundle.REPO_FILE
    with tarfile.open(path) as tar:
        last = tar.getmembers()[-1]
    path.write_bytes(path.read_bytes()[:last.offset])  # whole members, no end marker
    rehash(d, bundle.REPO_FILE)


def garble_manifest(d, s):
    (d / bundle.MANIFEST).write_text('{"images": [')


def escaping_repo_member(d, s):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, kind in (("maven-repo", tarfile.DIRTYPE), ("maven-repo/../../evil.txt", None)):
            info = tarfile.TarInfo(name)
            if kind:
                info.type = kind
                tar.addfile(info)
            else:
                info.size = 4
                tar.addfile(info, io.BytesIO(b"evil"))
    (d / bundle.REPO_FILE).write_bytes(buf.getvalue())
    rehash(d, bundle.REPO_FILE)


def escaping_symlink(d, s):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("maven-repo/etc")
        info.type, info.linkname = tarfile.SYMTYPE, "../../../etc"
        tar.addfile(info)
    (d / bundle.REPO_FILE).write_bytes(buf.getvalue())
    rehash(d, bundle.REPO_FILE)


DAMAGE = [
    (corrupt_image_byte, "has sha256"),
    (corrupt_repo_byte, "has sha256"),
    (remove_repo_tar, "lacks maven-repo.tar"),
    (remove_manifest, "manifest.json is missing"),
    (add_extra_file, "notes.txt"),
    (lie_about_size, "the manifest says 12345"),
    (lie_about_hash, "sha256"),
    (lie_about_tag, "not slimlab-kit/jre:25"),
    (lie_about_id, "not sha256:1111"),
    (truncate_image_tar, "bytes; the manifest says"),
    (truncate_image_tar_and_lie, "truncated"),
    (truncate_repo_at_a_member_and_lie, "truncated"),
    (garble_manifest, "damaged"),
    (escaping_repo_member, "would leave the repository"),
    (escaping_symlink, "would leave the repository"),
]


@pytest.mark.parametrize(("damage", "says"), DAMAGE, ids=[d.__name__ for d, _ in DAMAGE])
def test_damage_is_refused_and_nothing_is_loaded(engine, saved, copy, target_repo, damage,
                                                 says):
    damage(copy, saved)
    try:
        with pytest.raises(BundleError) as info:
            bundle.load(copy)
    finally:
        loaded = image_present(engine, saved["id"])
        remove_image(engine, saved["tag"])
    assert says in str(info.value)
    assert not loaded, "an image was loaded from a damaged bundle"
    assert not target_repo.exists() and not list(target_repo.parent.glob(".maven-repo*"))
    assert not (copy.parent / "evil.txt").exists()


def test_default_images_are_every_kit_tag(engine):
    from slimlab.kit.images import KIT

    # save(dir) without images= bundles these (the full kit is ~2 GB: not saved here)
    assert bundle.kit_tags() == sorted(k.tag for k in KIT)

"""The classroom bundle without an engine: synthetic ``docker save`` tars in the three
layouts engines write (legacy, before Engine 25; OCI from the overlay2 store, whose image id
is the config digest; OCI from the containerd store, whose id is an image index listed in
index.json), every kind of damage refused with nothing loaded, and load reading each file
once. The engine calls are faked; nothing here may reach a real engine."""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from slimlab import engine
from slimlab.errors import BundleError, ImageMissing
from slimlab.kit import bundle

LAYOUTS = ("legacy", "oci-overlay2", "oci-containerd")
OCI = ("oci-overlay2", "oci-containerd")
TAG = "slimlab-kit/tiny:1"
UPSTREAM = "eclipse-temurin:25-jre"  # what a foreign image could pass for
INDEX = "application/vnd.oci.image.index.v1+json"
IMAGE_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"
JAR = "org/example/demo/1.0/demo-1.0.jar"

Entry = tuple[tarfile.TarInfo, bytes]


# ------------------------------------------------------------------------------ tars
def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(data) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def file_entry(name: str, data: bytes) -> Entry:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    return info, data


def dir_entry(name: str) -> Entry:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info, b""


def link_entry(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> Entry:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, b""


def tar_bytes(entries: list[Entry]) -> bytes:
    """A tar as Go's archive/tar writes it (docker save): members, then exactly two zero
    blocks, no padding to a 10 KiB record as Python's tarfile adds."""
    out = bytearray()
    for info, data in entries:
        out += info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        out += data + b"\0" * (-len(data) % tarfile.BLOCKSIZE)
    return bytes(out + b"\0" * (2 * tarfile.BLOCKSIZE))


@dataclass
class Image:
    """A fake image: its tag, its id (what ``docker image inspect`` says) and the members
    of its ``docker save`` tar, by name (tests edit them before writing the tar)."""

    tag: str
    id: str
    layout: str
    members: dict[str, Entry]
    config: str  # the member holding the config
    layer: str  # the member holding the one layer

    @property
    def raw(self) -> bytes:
        return tar_bytes(list(self.members.values()))

    def put(self, name: str, data: bytes) -> None:
        self.members[name] = file_entry(name, data)

    def edit_json(self, name: str, change: Callable) -> None:
        data = json.loads(self.members[name][1])
        change(data)
        self.put(name, dumps(data))


def image_tar(layout: str, tag: str = TAG, seed: str = "a") -> Image:
    """The tar ``docker save TAG`` writes in ``layout`` for an image of one small layer."""
    layer = tar_bytes([file_entry("hello.txt", f"hello {seed}\n".encode() * 300)])
    config = dumps({"architecture": "amd64", "os": "linux",
                    "config": {"Labels": {"slimlab": "true"}},
                    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]}})
    tag_part = tag.rpartition(":")[2]
    entries: list[Entry]
    if layout == "legacy":
        layer_dir = sha(b"v1 " + layer)
        entries = [dir_entry(layer_dir + "/"), file_entry(f"{layer_dir}/VERSION", b"1.0"),
                   file_entry(f"{layer_dir}/json", b"{}"),
                   file_entry(f"{layer_dir}/layer.tar", layer),
                   file_entry(f"{sha(config)}.json", config),
                   file_entry("manifest.json", dumps([{
                       "Config": f"{sha(config)}.json", "RepoTags": [tag],
                       "Layers": [f"{layer_dir}/layer.tar"]}])),
                   file_entry("repositories", dumps({tag.rpartition(":")[0]:
                                                     {tag_part: layer_dir}}))]
        return Image(tag, "sha256:" + sha(config), layout, {i.name: (i, d) for i, d in entries},
                     f"{sha(config)}.json", f"{layer_dir}/layer.tar")
    blobs: dict[str, bytes] = {}

    def blob(data: bytes, media_type: str) -> dict:
        blobs[sha(data)] = data
        return {"mediaType": media_type, "digest": "sha256:" + sha(data), "size": len(data)}

    manifest = dumps({"schemaVersion": 2, "mediaType": IMAGE_MANIFEST,
                      "config": blob(config, CONFIG), "layers": [blob(layer, LAYER)]})
    top = blob(manifest, IMAGE_MANIFEST)
    image_id = "sha256:" + sha(config)
    if layout == "oci-containerd":  # an image index: the image and its attestation
        attestation = dumps({"schemaVersion": 2, "mediaType": IMAGE_MANIFEST,
                             "config": blob(b"{}", CONFIG),
                             "layers": [blob(b'{"predicate":{}}', "application/vnd.in-toto+json")]})
        index = dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": [
            {**top, "platform": {"architecture": "amd64", "os": "linux"}},
            {**blob(attestation, IMAGE_MANIFEST),
             "platform": {"architecture": "unknown", "os": "unknown"},
             "annotations": {"vnd.docker.reference.digest": top["digest"],
                             "vnd.docker.reference.type": "attestation-manifest"}}]})
        top = blob(index, INDEX)
        image_id = top["digest"]
    top["annotations"] = {"io.containerd.image.name": "docker.io/" + tag,
                          "org.opencontainers.image.ref.name": tag_part}
    entries = [dir_entry("blobs/"), dir_entry("blobs/sha256/"),
               *(file_entry(f"blobs/sha256/{digest}", data) for digest, data in blobs.items()),
               file_entry("index.json", dumps({"schemaVersion": 2, "mediaType": INDEX,
                                               "manifests": [top]})),
               file_entry("manifest.json", dumps([{
                   "Config": f"blobs/sha256/{sha(config)}", "RepoTags": [tag],
                   "Layers": [f"blobs/sha256/{sha(layer)}"]}])),
               file_entry("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
    return Image(tag, image_id, layout, {i.name: (i, d) for i, d in entries},
                 f"blobs/sha256/{sha(config)}", f"blobs/sha256/{sha(layer)}")


# ------------------------------------------------------------------------------ fake engine
def _no_engine():
    raise AssertionError("the bundle must use slimlab.engine's functions, never the SDK client")


class FakeEngine:
    """The four engine calls the bundle may make, on a dict of fake images."""

    def __init__(self) -> None:
        self.store: dict[str, Image] = {}
        self.loaded: list[tuple[Path, bytes]] = []  # (file handed to load, its bytes)
        self.load_hook: Callable[[Path], None] | None = None

    def add(self, image: Image) -> Image:
        self.store[image.tag] = image
        return image

    def inspect_image(self, ref: str) -> dict:
        if ref not in self.store:
            raise ImageMissing(f"There is no image {ref} on this engine.")
        return {"Id": self.store[ref].id, "RepoTags": [ref]}

    def save_image(self, ref: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        if ref not in self.store:
            raise ImageMissing(f"There is no image {ref} on this engine.")
        raw = self.store[ref].raw
        for start in range(0, len(raw), 1000):
            yield raw[start:start + 1000]

    def load_image(self, fileobj) -> list[str]:
        path = Path(fileobj.name)
        if self.load_hook:
            self.load_hook(path)
        data = fileobj.read()
        self.loaded.append((path, data))
        return [i.id for i in self.store.values() if i.raw == data] or ["sha256:" + sha(data)]

    def images(self, lab: str = "", learner: str = "", include_kit: bool = False) -> list:
        return [SimpleNamespace(tags=[tag]) for tag in self.store]


@pytest.fixture
def fake(monkeypatch) -> FakeEngine:
    fake = FakeEngine()
    for name in ("inspect_image", "save_image", "load_image", "images"):
        monkeypatch.setattr(engine, name, getattr(fake, name))
    monkeypatch.setattr(engine, "client", _no_engine)
    return fake


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """SLIMLAB_HOME under tmp_path; load unpacks into ``home / "maven-repo"``."""
    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SLIMLAB_MAVEN_REPO", str(tmp_path / "home" / "maven-repo"))
    return tmp_path / "home"


@pytest.fixture
def source_repo(tmp_path) -> Path:
    repo = tmp_path / "repo"
    (repo / JAR).parent.mkdir(parents=True)
    (repo / JAR).write_bytes(b"PK fake jar " * 100)
    (repo / ".slimlab-primed").write_text("recipe123\n")
    return repo


@pytest.fixture(params=LAYOUTS)
def layout(request) -> str:
    return request.param


@pytest.fixture
def saved(fake, layout, source_repo, tmp_path, home) -> SimpleNamespace:
    """A bundle of one fake kit image (in ``layout``) and the tiny repository."""
    image = fake.add(image_tar(layout))
    out = tmp_path / "bundle"
    manifest = bundle.save(out, images=[image.tag], repo=source_repo)
    return SimpleNamespace(dir=out, image=image, manifest=manifest, repo=source_repo,
                           file=manifest.images[0]["file"], home=home, tmp=tmp_path)


def others(tmp_path: Path, home: Path) -> set[str]:
    """What lies beside the bundle and in SLIMLAB_HOME: staging must leave nothing."""
    found = {p.name for p in tmp_path.iterdir() if p != home}
    if home.exists():
        found |= {f"home/{p.name}" for p in home.iterdir()}
    return found


def nothing_loaded(s: SimpleNamespace, fake: FakeEngine, before: set[str]) -> None:
    assert fake.loaded == [], "an image was loaded from a bundle load refused"
    assert not (s.home / "maven-repo").exists()
    assert others(s.tmp, s.home) == before


# ------------------------------------------------------------------------------ save, load
def test_saved_bundle_layout(saved):
    out, manifest = saved.dir, saved.manifest
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [saved.file, bundle.REPO_FILE, bundle.MANIFEST])
    data = json.loads((out / bundle.MANIFEST).read_text())
    assert data["images"] == [{"tag": TAG, "id": saved.image.id, "file": saved.file,
                               "layers": ""}]  # the fake engine reports no RootFS
    assert (out / saved.file).read_bytes() == saved.image.raw
    assert data["maven_repo_recipe"] == "recipe123"
    assert data["slimlab_version"] == manifest.slimlab_version != ""
    for name, meta in data["files"].items():
        raw = (out / name).read_bytes()
        assert meta == {"size": len(raw), "sha256": sha(raw)}
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]
    assert "1 images, the Maven repository" in str(manifest)


def test_verify_accepts_every_layout(saved):
    assert bundle.verify(saved.dir).images == saved.manifest.images


def test_round_trip(saved, fake):
    before = others(saved.tmp, saved.home)
    manifest = bundle.load(saved.dir)
    assert manifest.images == saved.manifest.images
    assert [data for _, data in fake.loaded] == [saved.image.raw]
    repo = saved.home / "maven-repo"
    assert (repo / JAR).read_bytes() == (saved.repo / JAR).read_bytes()
    assert (repo / ".slimlab-primed").read_text() == "recipe123\n"
    assert others(saved.tmp, saved.home) == before | {"home/maven-repo"}  # no temp left


def test_load_replaces_an_existing_repository(saved):
    repo = saved.home / "maven-repo"
    repo.mkdir(parents=True)
    (repo / "stale.txt").write_text("old")
    bundle.load(saved.dir)
    assert not (repo / "stale.txt").exists()
    assert (repo / JAR).exists()
    assert [p.name for p in saved.home.iterdir()] == ["maven-repo"]


def test_save_refuses_a_non_empty_folder_and_missing_images(saved, tmp_path):
    with pytest.raises(BundleError, match="not empty"):
        bundle.save(saved.dir, images=[TAG], repo=saved.repo)
    with pytest.raises(BundleError, match="no image"):
        bundle.save(tmp_path / "b", images=["slimlab-kit/absent:none"], repo=saved.repo)
    assert not (tmp_path / "b").exists()
    assert not list(tmp_path.glob(".b.partial-*"))  # the crash left nothing behind


def test_kit_tags_are_the_kit_images_only(fake):
    for tag in ("slimlab-kit/jre:25", "slimlab-kit/os:trixie", UPSTREAM, "slimlab-test/x:1"):
        fake.add(image_tar("legacy", tag))
    assert bundle.kit_tags() == ["slimlab-kit/jre:25", "slimlab-kit/os:trixie"]


# ------------------------------------------------------------------------------ damage
def rewrite_manifest(bundle_dir: Path, change: Callable) -> None:
    path = bundle_dir / bundle.MANIFEST
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def rehash(bundle_dir: Path, name: str) -> None:
    """Make the manifest agree with a damaged file: only the tar checks can catch it."""
    raw = (bundle_dir / name).read_bytes()
    rewrite_manifest(bundle_dir, lambda d: d["files"][name].update(size=len(raw),
                                                                   sha256=sha(raw)))


def replace_image(s: SimpleNamespace, image: Image) -> None:
    """Put ``image``'s tar in the bundle in place of the saved one, hashes updated."""
    (s.dir / s.file).write_bytes(image.raw)
    rehash(s.dir, s.file)


def replace_repo(s: SimpleNamespace, entries: list[Entry]) -> None:
    (s.dir / bundle.REPO_FILE).write_bytes(tar_bytes(entries))
    rehash(s.dir, bundle.REPO_FILE)


def flip_byte(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


def corrupt_image_byte(s):
    flip_byte(s.dir / s.file, 1500)


def corrupt_repo_byte(s):
    flip_byte(s.dir / bundle.REPO_FILE, 700)


def remove_repo_tar(s):
    (s.dir / bundle.REPO_FILE).unlink()


def remove_manifest(s):
    (s.dir / bundle.MANIFEST).unlink()


def add_extra_file(s):
    (s.dir / "notes.txt").write_text("not in the manifest")


def lie_about_size(s):
    rewrite_manifest(s.dir, lambda m: m["files"][bundle.REPO_FILE].update(size=12345))


def lie_about_hash(s):
    rewrite_manifest(s.dir, lambda m: m["files"][bundle.REPO_FILE].update(sha256="0" * 64))


def lie_about_tag(s):
    rewrite_manifest(s.dir, lambda m: m["images"][0].update(tag="slimlab-kit/jre:25"))


def lie_about_id(s):
    rewrite_manifest(s.dir, lambda m: m["images"][0].update(id="sha256:" + "1" * 64))


def truncate_image_tar(s):
    path = s.dir / s.file
    path.write_bytes(path.read_bytes()[:-3000])


def truncate_image_tar_and_lie(s):
    truncate_image_tar(s)
    rehash(s.dir, s.file)


def truncate_repo_at_a_member_and_lie(s):
    path = s.dir / bundle.REPO_FILE
    with tarfile.open(path) as tar:
        last = tar.getmembers()[-1]
    path.write_bytes(path.read_bytes()[:last.offset])  # whole members, no end marker
    rehash(s.dir, bundle.REPO_FILE)


def garble_manifest(s):
    (s.dir / bundle.MANIFEST).write_text('{"images": [')


def escaping_repo_member(s):
    replace_repo(s, [dir_entry("maven-repo"), file_entry("maven-repo/../../evil.txt", b"evil")])


def escaping_symlink(s):
    replace_repo(s, [dir_entry("maven-repo"), link_entry("maven-repo/etc", "../../../etc")])


def escaping_symlink_chain(s):
    # each link alone stays inside by its text; together they reach SLIMLAB_HOME
    replace_repo(s, [dir_entry("maven-repo"), link_entry("maven-repo/l1", "."),
                     link_entry("maven-repo/l1/l2", ".."), link_entry("maven-repo/l1/l2/l3", "..")])


def escaping_symlink_through_another(s):
    replace_repo(s, [dir_entry("maven-repo"), link_entry("maven-repo/l1", "."),
                     link_entry("maven-repo/l2", "l1/..")])


def repo_root_is_a_link(s):
    replace_repo(s, [link_entry("maven-repo", "maven-repo/x"), dir_entry("maven-repo/x")])


def repo_member_shadowed_by_a_duplicate(s):
    # the link alone would be refused; a harmless second member of the same name used to
    # hide it, since only the last member of a name was checked
    replace_repo(s, [dir_entry("maven-repo"), link_entry("maven-repo/x", "../../../etc"),
                     file_entry("maven-repo/x", b"harmless")])


def repo_duplicate_after_normalising(s):
    replace_repo(s, [dir_entry("maven-repo"), file_entry("maven-repo/a.jar", b"one"),
                     file_entry("./maven-repo//a.jar", b"two")])


def image_manifest_json_twice(s):
    # a manifest.json naming an upstream image, hidden by a good one after it
    image = s.image
    good = image.members["manifest.json"]
    image.edit_json("manifest.json", lambda m: m[0].update(RepoTags=[UPSTREAM]))
    image.members["manifest.json (again)"] = good
    replace_image(s, image)


def image_layer_twice(s):
    image = s.image
    image.members["again"] = file_entry(image.layer, b"a second layer of the same name")
    replace_image(s, image)


def image_config_altered(s):
    # the legacy <id>.json and the OCI config blob are named by their content's sha256
    image = s.image
    image.edit_json(image.config, lambda c: c.update(os="windows"))
    replace_image(s, image)


def image_lacks_its_layer(s):
    image = s.image
    del image.members[image.layer]
    replace_image(s, image)


def manifest_names_an_upstream_image(s):
    replace_image(s, image_tar(s.image.layout, tag=UPSTREAM))
    rewrite_manifest(s.dir, lambda m: m["images"][0].update(tag=UPSTREAM))


def repo_tags_name_an_upstream_image(s):
    s.image.edit_json("manifest.json", lambda m: m[0].update(RepoTags=[UPSTREAM]))
    replace_image(s, s.image)


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
    (escaping_symlink_chain, "would leave the repository"),
    (escaping_symlink_through_another, "would leave the repository"),
    (repo_root_is_a_link, "would leave the repository"),
    (repo_member_shadowed_by_a_duplicate, "two members named 'maven-repo/x'"),
    (repo_duplicate_after_normalising, "two members named 'maven-repo/a.jar'"),
    (image_manifest_json_twice, "two members named 'manifest.json'"),
    (image_layer_twice, "two members named"),
    (image_config_altered, "does not match its name"),
    (image_lacks_its_layer, "lacks"),
    (manifest_names_an_upstream_image, "not a kit image"),
    (repo_tags_name_an_upstream_image, "not a kit image"),
]


@pytest.mark.parametrize(("damage", "says"), DAMAGE, ids=[d.__name__ for d, _ in DAMAGE])
def test_damage_is_refused_and_nothing_is_loaded(saved, fake, damage, says):
    damage(saved)
    before = others(saved.tmp, saved.home)
    with pytest.raises(BundleError) as info:
        bundle.verify(saved.dir)
    assert says in str(info.value)
    with pytest.raises(BundleError) as info:
        bundle.load(saved.dir)
    assert says in str(info.value)
    nothing_loaded(saved, fake, before)
    assert not (saved.tmp / "evil.txt").exists()


# ------------------------------------------------------------------------------ OCI layouts
@pytest.mark.parametrize("layout", OCI)
def test_oci_image_id_is_the_config_or_a_digest_in_the_index(saved):
    index = json.loads(saved.image.members["index.json"][1])
    listed = index["manifests"][0]["digest"]
    config = "sha256:" + saved.image.config.rpartition("/")[2]
    for image_id in (listed, config):
        rewrite_manifest(saved.dir, lambda m, i=image_id: m["images"][0].update(id=i))
        bundle.verify(saved.dir)
    layer = "sha256:" + saved.image.layer.rpartition("/")[2]  # a blob, but not the image
    rewrite_manifest(saved.dir, lambda m: m["images"][0].update(id=layer))
    with pytest.raises(BundleError, match=f"not {layer}"):
        bundle.verify(saved.dir)


@pytest.mark.parametrize(("layout", "which"), [
    *((layout, which) for layout in OCI for which in ("layer", "listed")),
    ("oci-containerd", "attestation"),  # only the containerd store saves attestations
])
def test_oci_blob_whose_content_does_not_match_its_name_is_refused(saved, which):
    image = saved.image
    if which == "layer":
        name = image.layer
    else:  # the manifest (overlay2) or image index (containerd) index.json lists
        listed = json.loads(image.members["index.json"][1])["manifests"][0]["digest"]
        name = "blobs/sha256/" + listed.removeprefix("sha256:")
        if which == "attestation":
            attestation = json.loads(image.members[name][1])["manifests"][1]["digest"]
            name = "blobs/sha256/" + attestation.removeprefix("sha256:")
    image.put(name, image.members[name][1].replace(b"a", b"b", 1) + b" ")
    replace_image(saved, image)
    with pytest.raises(BundleError, match=f"{name} .*does not match its name"):
        bundle.verify(saved.dir)


@pytest.mark.parametrize("layout", OCI)
@pytest.mark.parametrize("key", ["io.containerd.image.name",
                                 "org.opencontainers.image.ref.name"])
@pytest.mark.parametrize("name", [UPSTREAM, "docker.io/library/" + UPSTREAM])
def test_an_index_naming_an_upstream_image_is_refused(saved, key, name):
    saved.image.edit_json("index.json",
                          lambda i: i["manifests"][0]["annotations"].update({key: name}))
    replace_image(saved, saved.image)
    with pytest.raises(BundleError, match=f"names {name}, which is not a kit image"):
        bundle.verify(saved.dir)


@pytest.mark.parametrize("layout", OCI)
def test_an_index_naming_another_kit_image_is_refused(saved):
    saved.image.edit_json("index.json", lambda i: i["manifests"][0]["annotations"].update(
        {"io.containerd.image.name": "docker.io/slimlab-kit/jre:25"}))
    replace_image(saved, saved.image)
    with pytest.raises(BundleError, match=f"not {TAG}"):
        bundle.verify(saved.dir)


# ------------------------------------------------------------------------------ kit only
def test_save_refuses_images_outside_the_kit(fake, source_repo, tmp_path):
    fake.add(image_tar("legacy", tag=UPSTREAM))
    fake.add(image_tar("legacy"))
    with pytest.raises(BundleError, match=f"{UPSTREAM} is not a kit image"):
        bundle.save(tmp_path / "b", images=[TAG, UPSTREAM], repo=source_repo)
    assert not (tmp_path / "b").exists()
    assert not list(tmp_path.glob(".b.partial-*"))


@pytest.mark.parametrize("tag", ["slimlab-kit/jre:25", "slimlab-kit/maven:3.9-jdk25",
                                 "slimlab-kit/jre-small:25"])
def test_kit_tags(tag):
    assert bundle.is_kit_tag(tag)


def test_every_kit_image_has_a_kit_tag():
    from slimlab.kit.images import KIT

    assert [k.tag for k in KIT if not bundle.is_kit_tag(k.tag)] == []


@pytest.mark.parametrize("tag", [UPSTREAM, "docker.io/slimlab-kit/jre:25",
                                 "ghcr.io/slimlab-kit/jre:25", "slimlab-kit/", "slimlab-kit",
                                 "slimlab-kit/../jre:25", "slimlab-kit/JRE:25",
                                 "slimlab-kit/jre:25 ", "slimlab-kitchen/jre:25"])
def test_not_kit_tags(tag):
    assert not bundle.is_kit_tag(tag)


# ------------------------------------------------------------------------------ read once
def test_load_loads_the_bytes_it_verified(saved, fake, monkeypatch):
    """A file swapped after it was verified must not be what the engine loads."""
    check = bundle._check_image_tar
    other = image_tar(saved.image.layout, seed="swapped").raw

    def check_then_swap(name, *args, **kwargs):
        check(name, *args, **kwargs)
        (saved.dir / name).write_bytes(other)

    monkeypatch.setattr(bundle, "_check_image_tar", check_then_swap)
    bundle.load(saved.dir)
    assert [data for _, data in fake.loaded] == [saved.image.raw]


def test_load_reads_staged_copies_in_a_private_folder(saved, fake):
    seen: list[tuple[Path, int]] = []
    fake.load_hook = lambda path: seen.append((path, stat.S_IMODE(path.parent.stat().st_mode)))
    bundle.load(saved.dir)
    [(path, mode)] = seen
    assert mode == 0o700
    assert path.parent.parent == saved.home.parent  # next to SLIMLAB_HOME
    assert saved.dir not in path.parents
    assert not path.parent.exists()


def test_staging_falls_back_to_a_temp_dir(saved, fake, monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("SLIMLAB_HOME cannot have a sibling here")
    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path / "a-file" / "home"))
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    seen: list[Path] = []
    fake.load_hook = lambda path: seen.append(path)
    bundle.load(saved.dir)
    assert seen and seen[0].parent.parent == temp
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_staging_is_removed_whatever_happens(saved, fake, error):
    before = others(saved.tmp, saved.home)

    def fail(path):
        raise error("stop")

    fake.load_hook = fail
    with pytest.raises((error, BundleError)):
        bundle.load(saved.dir)
    assert others(saved.tmp, saved.home) == before
    assert not (saved.home / "maven-repo").exists()


def test_staging_that_runs_out_of_space_is_refused(saved, fake, monkeypatch):
    before = others(saved.tmp, saved.home)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(free=10))
    with pytest.raises(BundleError, match="free"):
        bundle.load(saved.dir)
    nothing_loaded(saved, fake, before)


def test_a_staging_copy_that_fails_is_refused(saved, fake, monkeypatch):
    create = bundle._create

    class Full:
        def write(self, data):
            raise OSError(28, "No space left on device")

    @contextlib.contextmanager
    def full_disk(path):
        with create(path):
            yield Full()

    monkeypatch.setattr(bundle, "_create", full_disk)
    before = others(saved.tmp, saved.home)
    with pytest.raises(BundleError, match="No space left on device") as info:
        bundle.load(saved.dir)
    assert_short(info.value)
    nothing_loaded(saved, fake, before)


# ------------------------------------------------------------------------------ load refuses
def assert_short(error: BundleError) -> None:
    """One line a learner can read; the detail in ``log``, no chained traceback."""
    assert "\n" not in error.message and len(error.message) < 160
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_an_engine_refusal_is_a_short_bundle_error(saved, fake):
    def refuse(path):
        raise RuntimeError("500 Server Error for http+docker://localhost/v1.45/images/load"
                           ": Internal Server Error (\"archive/tar: invalid tar header\")")

    fake.load_hook = refuse
    with pytest.raises(BundleError) as info:
        bundle.load(saved.dir)
    assert_short(info.value)
    assert "invalid tar header" in info.value.log
    assert saved.file in info.value.message
    assert not (saved.home / "maven-repo").exists()


def test_an_unexpected_id_after_loading_is_a_short_bundle_error(saved, fake, monkeypatch):
    monkeypatch.setattr(engine, "load_image", lambda fh: ["sha256:" + "2" * 64])
    with pytest.raises(BundleError) as info:
        bundle.load(saved.dir)
    assert_short(info.value)
    assert "2222" in info.value.log
    assert not (saved.home / "maven-repo").exists()


def test_another_image_store_may_give_another_id_for_the_same_layers(saved, fake,
                                                                      monkeypatch):
    """Saved on the overlay2 store (id = config digest), loaded into the containerd store
    (id = manifest digest): accepted when the tag carries the recorded layers, and only
    then."""
    manifest = json.loads((saved.dir / "manifest.json").read_text())
    recorded = manifest["images"][0]["layers"] = "sha256:" + "a" * 64
    (saved.dir / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(engine, "load_image", lambda fh: ["sha256:" + "2" * 64])
    layers = {"value": recorded}
    monkeypatch.setattr(engine, "inspect_image", lambda ref: {
        "Id": "sha256:" + "2" * 64, "RootFS": {"Layers": layers["value"].split()}})
    bundle.load(saved.dir)  # the same layers: loaded
    layers["value"] = "sha256:" + "b" * 64
    with pytest.raises(BundleError, match="gave another image"):
        bundle.load(saved.dir)


def test_a_repository_tar_that_will_not_unpack_is_a_short_bundle_error(saved, fake,
                                                                         monkeypatch):
    def refuse(self, *args, **kwargs):
        raise tarfile.LinkOutsideDestinationError(self.getmembers()[0], "/elsewhere")

    monkeypatch.setattr(tarfile.TarFile, "extractall", refuse)
    before = others(saved.tmp, saved.home)
    with pytest.raises(BundleError) as info:
        bundle.load(saved.dir)
    assert_short(info.value)
    assert "outside the destination" in info.value.log
    nothing_loaded(saved, fake, before)


# ------------------------------------------------------------------------------ no SDK
def test_the_bundle_reaches_the_engine_only_through_slimlab_engine():
    tree = ast.parse(Path(bundle.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not [a for a in node.names if a.name.split(".")[0] == "docker"]
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "docker"
        if isinstance(node, ast.Attribute) and node.attr == "client":
            pytest.fail(f"bundle.py calls the SDK client (line {node.lineno})")


def test_in_memory_tars_read_back():
    """The synthetic tars are tars: what the checks refuse is the damage, not the fixture."""
    for layout in LAYOUTS:
        image = image_tar(layout)
        with tarfile.open(fileobj=io.BytesIO(image.raw)) as tar:
            assert sorted(tar.getnames()) == sorted(n.rstrip("/") for n in image.members)

"""``docker save`` in every layout Docker Engine 20–29 writes, built in memory: legacy
(``<id>/layer.tar``), OCI on the overlay2 store (raw blobs named by diff ID) and OCI on the
containerd store (gzip or zstd blobs first, manifest.json last, an image index and an
attestation among them). Each must give the same layers, file system and figures."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator

import pytest
import zstandard
from slimlab import engine
from slimlab.errors import SlimlabError
from slimlab.metrics import image as image_mod
from slimlab.metrics import layers as layers_mod
from slimlab.metrics.image import ImageReport, inspect
from slimlab.metrics.layers import (
    ImageHistory,
    LayerIndex,
    flatten,
    index_layer,
    index_saved_image,
    read_saved_image,
    sniff,
)

BIG = bytes(range(256)) * 400  # 102,400 bytes, deleted by a later layer
JAR = b"PK\x03\x04" + b"jar bytes " * 300  # 3,004 bytes
HOSTS = b"127.0.0.1 localhost\n"
TARGET = "/opt/java/bin/java"  # a symlink counts this length


def layer_tar(*members: tuple) -> bytes:
    """An uncompressed layer tar: ("f", path, data), ("d", path), ("l", path, target),
    ("h", path, target), ("wh", path) for a whiteout of path."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for kind, path, *rest in members:
            if kind == "wh":
                directory, _, name = path.rpartition("/")
                info = tarfile.TarInfo(f"{directory}/.wh.{name}" if directory else f".wh.{name}")
                tar.addfile(info, io.BytesIO(b""))
                continue
            info = tarfile.TarInfo(path)
            if kind == "f":
                info.size, info.mode = len(rest[0]), 0o644
                tar.addfile(info, io.BytesIO(rest[0]))
            elif kind == "d":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.type = tarfile.SYMTYPE if kind == "l" else tarfile.LNKTYPE
                info.linkname = rest[0]
                tar.addfile(info)
    return buf.getvalue()


# The image: a base layer, the legacy builder's WORKDIR layer (0 content bytes), a layer
# deleting the big file, and an empty tar (a RUN that changed nothing).
LAYERS = [
    layer_tar(("d", "etc"), ("f", "etc/hosts", HOSTS), ("d", "tmp"), ("f", "tmp/big", BIG),
              ("d", "usr"), ("d", "usr/bin"), ("l", "usr/bin/java", TARGET),
              ("h", "usr/bin/hosts-link", "etc/hosts")),
    layer_tar(("d", "app")),
    layer_tar(("d", "tmp"), ("wh", "tmp/big"), ("f", "app/app.jar", JAR)),
    layer_tar(),
]
DIFF_IDS = ["sha256:" + hashlib.sha256(t).hexdigest() for t in LAYERS]
HISTORY = [
    {"created": "2025-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:0a1b in / "},
    {"created_by": '/bin/sh -c #(nop)  CMD ["sh"]', "empty_layer": True},
    {"created_by": "WORKDIR /app", "comment": "buildkit.dockerfile.v0"},
    {"created_by": "ARG X=1", "comment": "buildkit.dockerfile.v0", "empty_layer": True},
    {"created_by": "RUN |1 X=1 /bin/sh -c rm /tmp/big && cp x app/app.jar # buildkit"},
    {"created_by": "RUN --mount=type=cache,target=/root/.m2 /bin/sh -c true # buildkit"},
    {"created_by": 'ENTRYPOINT ["java" "-jar" "app.jar"]', "empty_layer": True},
]
INSTRUCTIONS = ["ADD file:0a1b in /", "WORKDIR /app", "RUN rm /tmp/big && cp x app/app.jar",
                "RUN --mount=type=cache,target=/root/.m2 true"]
CONFIG = {"architecture": "amd64", "os": "linux", "config": {"User": "app"},
          "rootfs": {"type": "layers", "diff_ids": DIFF_IDS}, "history": HISTORY}
CONTENT = [len(HOSTS) + len(BIG) + len(TARGET), 0, len(JAR), 0]


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def hexof(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jdump(doc) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def outer_tar(members: list[tuple[str, bytes | str]]) -> bytes:
    """The save itself: (name, bytes) members in this order; (name, "->target") a symlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if isinstance(data, str):
                info.type, info.linkname = tarfile.SYMTYPE, data.removeprefix("->")
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def chunks(payload: bytes, size: int = 7777) -> Iterator[bytes]:
    """Odd chunk sizes, as the SDK's stream would cut them."""
    return (payload[i:i + size] for i in range(0, len(payload), size))


def legacy_save(config: dict = CONFIG, layers: list[bytes] = LAYERS) -> tuple[str, bytes]:
    """Engine ≤ 24: <id>/layer.tar, <hex>.json, manifest.json (lexical order, as written)."""
    cfg = jdump(config)
    members: list[tuple[str, bytes | str]] = []
    names = []
    for i, data in enumerate(layers):
        v1 = hashlib.sha256(f"v1-{i}".encode()).hexdigest()
        members += [(f"{v1}/VERSION", b"1.0"), (f"{v1}/json", jdump({"id": v1})),
                    (f"{v1}/layer.tar", data)]
        names.append(f"{v1}/layer.tar")
    manifest = [{"Config": f"{hexof(cfg)}.json", "RepoTags": ["slimlab-test/x:1"],
                 "Layers": names}]
    members += [(f"{hexof(cfg)}.json", cfg), ("manifest.json", jdump(manifest)),
                ("repositories", jdump({"slimlab-test/x": {"1": "abc"}}))]
    return digest(cfg), outer_tar(sorted(members))


def oci_manifest(cfg: bytes, blobs: list[bytes], media: str) -> bytes:
    return jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                             "digest": digest(cfg), "size": len(cfg)},
                  "layers": [{"mediaType": media, "digest": digest(b), "size": len(b)}
                             for b in blobs]})


def overlay2_save() -> tuple[str, bytes]:
    """Engine 25+ on overlay2: raw layer blobs named by diff ID; image id = config digest.
    Here manifest.json and index.json come FIRST: the reader must not care."""
    cfg = jdump(CONFIG)
    manifest = oci_manifest(cfg, LAYERS, "application/vnd.oci.image.layer.v1.tar")
    index = jdump({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(manifest),
         "size": len(manifest)}]})
    docker_manifest = [{"Config": f"blobs/sha256/{hexof(cfg)}", "RepoTags": ["slimlab-test/x:1"],
                        "Layers": [f"blobs/sha256/{hexof(t)}" for t in LAYERS]}]
    members = [("manifest.json", jdump(docker_manifest)), ("index.json", index),
               ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
    members += [(f"blobs/sha256/{hexof(b)}", b) for b in [*LAYERS, cfg, manifest]]
    return digest(cfg), outer_tar(members)


def zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=3).compress(data)


def containerd_save(compress=None, extra_image: bool = False) -> tuple[str, bytes]:
    """Engine 26 on the containerd store: all blobs first (compressed layers named by their
    compressed digest, config, manifest, attestation manifest, in-toto JSON, index), then
    index.json, manifest.json and oci-layout LAST. Image id = the index's digest."""
    compress = compress or (lambda i, t: gzip.compress(t, compresslevel=1, mtime=0))
    blobs = [compress(i, t) for i, t in enumerate(LAYERS)]
    cfg = jdump(CONFIG)
    manifest = oci_manifest(cfg, blobs, "application/vnd.oci.image.layer.v1.tar+gzip")
    intoto = jdump({"_type": "https://in-toto.io/Statement/v0.1",
                    "predicateType": "https://slsa.dev/provenance/v0.2",
                    "predicate": {"buildType": "https://mobyproject.org/buildkit@v1"}})
    att_cfg = jdump({"architecture": "unknown", "os": "unknown", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": [digest(intoto)]}})
    attestation = jdump({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": digest(att_cfg), "size": len(att_cfg)},
        "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": digest(intoto),
                    "size": len(intoto)}]})
    index = jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [
                       {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": digest(manifest), "size": len(manifest),
                        "platform": {"architecture": "amd64", "os": "linux"}},
                       {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": digest(attestation), "size": len(attestation),
                        "annotations": {"vnd.docker.reference.digest": digest(manifest),
                                        "vnd.docker.reference.type": "attestation-manifest"},
                        "platform": {"architecture": "unknown", "os": "unknown"}}]})
    docker_manifest = [{"Config": f"blobs/sha256/{hexof(cfg)}", "RepoTags": ["slimlab-test/bx:1"],
                        "Layers": [f"blobs/sha256/{hexof(b)}" for b in blobs]}]
    blob_members = [*blobs, cfg, manifest, attestation, intoto, att_cfg, index]
    if extra_image:  # a second image in the same save: the image id must pick the config
        other_layer = layer_tar(("f", "other", b"o"))
        other_cfg = jdump({**CONFIG, "rootfs": {"type": "layers",
                                                "diff_ids": [digest(other_layer)]},
                           "history": [{"created_by": "COPY other /other # buildkit"}]})
        blob_members += [other_layer, other_cfg]
        docker_manifest.append({"Config": f"blobs/sha256/{hexof(other_cfg)}",
                                "RepoTags": ["slimlab-test/other:1"],
                                "Layers": [f"blobs/sha256/{hexof(other_layer)}"]})
    members: list[tuple[str, bytes | str]] = [
        (f"blobs/sha256/{hexof(b)}", b) for b in dict.fromkeys(blob_members)]
    members += [("index.json", jdump({"schemaVersion": 2, "manifests": [
                    {"mediaType": "application/vnd.oci.image.index.v1+json",
                     "digest": digest(index), "size": len(index)}]})),
                ("manifest.json", jdump(docker_manifest)),
                ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
    return digest(index), outer_tar(members)


def mixed_save() -> tuple[str, bytes]:
    """The containerd layout with one zstd layer and one gzip blob of two gzip members."""
    def compress(i: int, data: bytes) -> bytes:
        if i == 2:
            return zstd(data)
        if i == 0:
            return gzip.compress(data[:1000], mtime=0) + gzip.compress(data[1000:], mtime=0)
        return gzip.compress(data, mtime=0)
    return containerd_save(compress)


LAYOUTS = {"legacy": legacy_save, "oci-overlay2": overlay2_save,
           "oci-containerd-gzip": containerd_save, "oci-containerd-zstd": mixed_save}
COMPRESSION = {"legacy": ["none"] * 4, "oci-overlay2": ["none"] * 4,
               "oci-containerd-gzip": ["gzip"] * 4,
               "oci-containerd-zstd": ["gzip", "gzip", "zstd", "gzip"]}
REFERENCE = [index_layer(io.BytesIO(t)) for t in LAYERS]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path))
    monkeypatch.setattr(image_mod, "_reports", {})


# ----------------------------------------------------------------------------- the reader
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_gives_the_same_layers(layout):
    image_id, payload = LAYOUTS[layout]()
    saved = read_saved_image(chunks(payload), image_id)
    assert set(saved.layers) == set(DIFF_IDS)  # no attestation, config or index among them
    assert saved.diff_ids == DIFF_IDS  # the config's order
    assert saved.manifest_layers == DIFF_IDS
    assert saved.config == CONFIG and saved.unreadable == []
    for ref, content, compression in zip(REFERENCE, CONTENT, COMPRESSION[layout], strict=True):
        layer = saved.layers[ref.digest]
        assert layer.digest == ref.digest
        assert layer.tar_bytes == ref.tar_bytes
        assert layer.gzip_bytes == ref.gzip_bytes  # ours, not the stored blob's
        assert layer.entries == ref.entries
        assert layer.content_bytes == content
        assert layer.compression == compression
        if compression == "none":
            assert layer.blob_bytes == layer.tar_bytes
        else:
            assert 0 < layer.blob_bytes != layer.tar_bytes


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_gives_the_same_file_system_and_waste(layout):
    image_id, payload = LAYOUTS[layout]()
    saved = read_saved_image(chunks(payload, 512), image_id)
    fs = flatten([saved.layers[d] for d in saved.diff_ids])
    assert set(fs.files) == {"etc", "etc/hosts", "tmp", "usr", "usr/bin", "usr/bin/java",
                             "usr/bin/hosts-link", "app", "app/app.jar"}
    assert fs.files["usr/bin/java"][0].size == len(TARGET)
    assert fs.files["app/app.jar"][1] == 2
    assert fs.wasted == [("tmp/big", len(BIG), 0, "deleted")]
    assert fs.wasted_bytes == len(BIG)


@pytest.mark.parametrize("layout", ["oci-overlay2", "oci-containerd-gzip", "oci-containerd-zstd"])
def test_regression_oci_layouts_yield_layers(layout):
    # Until Engine 25 support, only "<id>/layer.tar" was read: these saves gave no layers.
    _, payload = LAYOUTS[layout]()
    found = index_saved_image(chunks(payload), set(DIFF_IDS))
    assert set(found) == set(DIFF_IDS)


def test_the_image_id_picks_the_config_when_the_save_holds_two_images():
    image_id, payload = containerd_save(extra_image=True)
    saved = read_saved_image(chunks(payload), image_id)  # an index digest, walked down
    assert saved.config == CONFIG and saved.diff_ids == DIFF_IDS
    assert len(saved.layers) == 5
    assert read_saved_image(chunks(payload)).config is None  # two images, none named


def test_without_manifest_json_the_oci_index_finds_the_config():
    image_id, payload = overlay2_save()
    with tarfile.open(fileobj=io.BytesIO(payload)) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar if m.name != "manifest.json"]
    saved = read_saved_image(chunks(outer_tar(members)), image_id)
    assert saved.config == CONFIG and saved.manifest_layers == DIFF_IDS


def test_known_raw_blobs_are_skipped_yet_ordered():
    image_id, payload = overlay2_save()
    saved = read_saved_image(chunks(payload), image_id, known={DIFF_IDS[0]})
    assert set(saved.layers) == set(DIFF_IDS[1:])
    assert saved.manifest_layers == DIFF_IDS


def test_legacy_repeated_layer_is_a_symlink():
    cfg = jdump({**CONFIG, "rootfs": {"type": "layers", "diff_ids": [DIFF_IDS[1]] * 2}})
    manifest = [{"Config": f"{hexof(cfg)}.json", "RepoTags": None,
                 "Layers": ["a1/layer.tar", "b2/layer.tar"]}]
    payload = outer_tar([("a1/layer.tar", LAYERS[1]), ("b2/layer.tar", "->../a1/layer.tar"),
                         (f"{hexof(cfg)}.json", cfg), ("manifest.json", jdump(manifest))])
    saved = read_saved_image(chunks(payload))
    assert saved.manifest_layers == [DIFF_IDS[1]] * 2 == saved.diff_ids


def test_compressed_member_that_is_no_tar_is_skipped():
    payload = outer_tar([("blobs/sha256/" + "0" * 64, gzip.compress(b"not a tar" * 100)),
                         ("blobs/sha256/" + "1" * 64, LAYERS[0])])
    saved = read_saved_image(chunks(payload))
    assert set(saved.layers) == {DIFF_IDS[0]}
    assert saved.unreadable == ["blobs/sha256/" + "0" * 64]
    assert saved.config is None


@pytest.mark.parametrize(("head", "kind"), [
    (gzip.compress(b"x"), "gzip"),
    (zstd(b"x"), "zstd"),
    (LAYERS[0][:512], "tar"),
    (bytes(512), "tar"),  # an empty tar starts with a zero block
    (layer_tar(("f", "a", b"1"))[:512], "tar"),
    (b'{"schemaVersion":2}', "other"),
    (b"1.0", "other"),
])
def test_sniff(head, kind):
    assert sniff(head) == kind


# ----------------------------------------------------------------------------- history
def test_history_maps_rows_to_layers():
    history = ImageHistory.from_config("sha256:x", CONFIG)
    assert history.diff_ids == DIFF_IDS
    assert history.layer_of_rows() == [0, None, 1, None, 2, 3, None]
    assert history.rows[2].comment == "buildkit.dockerfile.v0"
    assert history.rows[1].empty_layer and not history.rows[0].empty_layer
    assert ImageHistory.from_json(json.loads(json.dumps(history.to_json()))) == history


def test_history_without_enough_rows_leaves_layers_unclaimed():
    history = ImageHistory("sha256:x", DIFF_IDS, ImageHistory.from_config("x", CONFIG).rows[:3])
    assert history.layer_of_rows() == [0, None, 1]


# ----------------------------------------------------------------------------- ImageReport
def fake_engine(monkeypatch, saves: dict[str, bytes], attrs: dict[str, dict]) -> list[str]:
    """engine.inspect_image and engine.save_image over in-memory saves; returns the log
    of saved refs (a second measurement must not save again)."""
    saved: list[str] = []

    def inspect_image(ref: str) -> dict:
        return attrs[ref]

    def save_image(ref: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        saved.append(ref)
        yield from chunks(saves[ref], 4096)

    monkeypatch.setattr(engine, "inspect_image", inspect_image)
    monkeypatch.setattr(engine, "save_image", save_image)
    return saved


def inspect_attrs(image_id: str, diff_ids: list[str] = DIFF_IDS, tag: str = "x:1") -> dict:
    return {"Id": image_id, "RepoTags": [tag], "Config": {"User": "app"},
            "RootFS": {"Type": "layers", "Layers": diff_ids}}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_report_figures_are_the_same_on_every_layout(layout, monkeypatch):
    image_id, payload = LAYOUTS[layout]()
    saved = fake_engine(monkeypatch, {image_id: payload}, {"x:1": inspect_attrs(image_id)})
    report = inspect("x:1")
    assert report.id == image_id and report.user == "app"
    assert report.size_bytes == sum(CONTENT) == sum(lay.content_bytes for lay in report.layers)
    assert report.pull_bytes == sum(lay.gzip_bytes for lay in REFERENCE)
    assert report.layer_count == 4 == len(report.layer_rows()) == len(report.layers)
    rows = report.layer_rows()
    assert [r.instruction for r in rows] == INSTRUCTIONS
    assert [r.size_bytes for r in rows] == CONTENT  # the 0-byte WORKDIR layer is listed
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    every = report.layer_rows(include_empty=True)
    assert [r.instruction for r in every] == [
        INSTRUCTIONS[0], 'CMD ["sh"]', INSTRUCTIONS[1], "ARG X=1", INSTRUCTIONS[2],
        INSTRUCTIONS[3], 'ENTRYPOINT ["java" "-jar" "app.jar"]']
    assert [r.size_bytes for r in every] == [CONTENT[0], 0, 0, 0, CONTENT[2], 0, 0]
    assert report.wasted_bytes == len(BIG)
    assert report.wasted() == [{"path": "/tmp/big", "bytes": len(BIG),
                                "layer": INSTRUCTIONS[0], "how": "deleted"}]
    assert report.largest_files(1) == [{"path": "/app/app.jar", "bytes": len(JAR)}]
    assert report.glob("/app/*") == ["/app/app.jar"] and report.has("/usr/bin/java")
    assert report.bytes_under("/app") == len(JAR)
    diff_ids = inspect_attrs(image_id)["RootFS"]["Layers"]
    assert report.summary() == {"size_bytes": sum(CONTENT), "pull_bytes": report.pull_bytes,
                                "layers": 4, "wasted_bytes": len(BIG),
                                "content_id": hashlib.sha256("\n".join(diff_ids).encode())
                                .hexdigest()[:16]}
    history = report.history
    assert [h["Size"] for h in history] == [CONTENT[0], 0, 0, 0, CONTENT[2], 0, 0]
    assert [h["CreatedBy"] for h in history] == [h["created_by"] for h in HISTORY]
    assert history[-1]["Id"] == image_id and history[-1]["Tags"] == ["x:1"]
    assert history[0]["Id"] == "<missing>"
    assert saved == [image_id]
    assert inspect("x:1") is report  # same id: the same report


@pytest.mark.parametrize("layout", LAYOUTS)
def test_second_measurement_comes_from_the_cache(layout, monkeypatch):
    image_id, payload = LAYOUTS[layout]()
    saved = fake_engine(monkeypatch, {image_id: payload}, {"x:1": inspect_attrs(image_id)})
    first = ImageReport("x:1")
    figures = (first.size_bytes, first.pull_bytes, [r.instruction for r in first.layer_rows()])
    assert saved == [image_id]
    again = ImageReport("x:1")  # a new kernel: nothing in memory
    assert (again.size_bytes, again.pull_bytes,
            [r.instruction for r in again.layer_rows()]) == figures
    assert again.fs.wasted_bytes == len(BIG)
    assert saved == [image_id]  # no second docker save
    assert layers_mod.cached_history(image_id).diff_ids == DIFF_IDS


def test_layers_cached_but_history_not_reads_the_save_once(monkeypatch):
    for layer in REFERENCE:  # a cache from before histories were cached
        layers_mod.store(layer)
    image_id, payload = overlay2_save()
    saved = fake_engine(monkeypatch, {image_id: payload}, {"x:1": inspect_attrs(image_id)})
    report = ImageReport("x:1")
    assert len(report.layer_rows()) == 4 and saved == [image_id]
    assert ImageReport("x:1").layer_rows() == report.layer_rows() and saved == [image_id]


def test_old_cache_entries_still_read(monkeypatch):
    layer = REFERENCE[0]
    old = {"digest": layer.digest, "tar_bytes": layer.tar_bytes, "gzip_bytes": layer.gzip_bytes,
           "entries": [[e.path, e.size, e.mode, e.kind] for e in layer.entries]}
    path = layers_mod._cache_path(layer.digest)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(old))
    read = layers_mod.cached(layer.digest)
    assert read == layer
    assert read.blob_bytes == layer.tar_bytes and read.compression == "none"


def test_a_save_that_misses_a_layer_is_an_error(monkeypatch):
    image_id, payload = overlay2_save()
    attrs = inspect_attrs(image_id, [*DIFF_IDS, digest(b"not in the save")])
    fake_engine(monkeypatch, {image_id: payload}, {"x:1": attrs})
    with pytest.raises(SlimlabError, match="did not match"):
        ImageReport("x:1").layers  # noqa: B018


def test_a_measured_base_marks_its_row_in_the_history(monkeypatch):
    base_cfg = {**CONFIG, "rootfs": {"type": "layers", "diff_ids": DIFF_IDS[:1]},
                "history": HISTORY[:2]}
    base_id, base_payload = legacy_save(base_cfg, LAYERS[:1])
    image_id, payload = overlay2_save()
    fake_engine(monkeypatch, {base_id: base_payload, image_id: payload},
                {"base:1": inspect_attrs(base_id, DIFF_IDS[:1], "base:1"),
                 "x:1": inspect_attrs(image_id)})
    base = inspect("base:1")
    assert base.layer_rows()[0].instruction == INSTRUCTIONS[0]
    ids = [h["Id"] for h in inspect("x:1").history]
    assert ids == ["<missing>", base_id, *["<missing>"] * 4, image_id]


def test_layer_index_json_keeps_the_new_fields():
    layer = LayerIndex("sha256:x", 10, 5, [], blob_bytes=3, compression="zstd")
    assert LayerIndex.from_json(json.loads(json.dumps(layer.to_json()))) == layer


def test_a_compressed_blob_read_once_is_skipped_the_next_time():
    """The containerd store names a layer by its compressed digest: the first read learns
    which diff ID that is, and a later save of another image with that layer skips it."""
    _, saved = containerd_save()
    first = read_saved_image(iter([saved]))
    assert first.aliases and set(first.aliases.values()) == set(first.layers)
    learned = dict(first.aliases)
    second = read_saved_image(iter([saved]), known=set(first.layers), alias=learned.get)
    assert second.layers == {}  # nothing read again
    assert second.diff_ids == first.diff_ids  # the order still comes out whole

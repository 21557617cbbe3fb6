"""Layer indexing and overlay2-style flattening on synthetic layer tarballs."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile

import pytest
from slimlab.metrics import layers as layers_mod
from slimlab.metrics.layers import (
    Entry,
    LayerIndex,
    flatten,
    index_layer,
    index_saved_image,
)


def layer_tar(*members: tuple) -> bytes:
    """An uncompressed layer tar. Members: ("f", path, bytes), ("d", path),
    ("l", path, target), ("h", path, target), ("wh", path) (a whiteout of path),
    ("opq", dir) (an opaque-directory marker)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for kind, path, *rest in members:
            if kind in ("wh", "opq"):
                directory, _, name = path.rpartition("/")
                marker = ".wh..wh..opq" if kind == "opq" else ".wh." + name
                full = f"{directory}/{marker}" if directory else marker
                if kind == "opq":
                    full = f"{path}/.wh..wh..opq"
                info = tarfile.TarInfo(full)
                tar.addfile(info, io.BytesIO(b""))
                continue
            info = tarfile.TarInfo(path)
            if kind == "f":
                info.size = len(rest[0])
                info.mode = rest[1] if len(rest) > 1 else 0o644
                tar.addfile(info, io.BytesIO(rest[0]))
            elif kind == "d":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif kind == "l":
                info.type, info.linkname = tarfile.SYMTYPE, rest[0]
                tar.addfile(info)
            elif kind == "h":
                info.type, info.linkname = tarfile.LNKTYPE, rest[0]
                tar.addfile(info)
    return buf.getvalue()


def index(*members: tuple) -> LayerIndex:
    return index_layer(io.BytesIO(layer_tar(*members)))


# ----------------------------------------------------------------------------- index_layer
def test_digest_tar_and_gzip_sizes_are_computed():
    data = layer_tar(("d", "etc"), ("f", "etc/hosts", b"127.0.0.1 localhost\n" * 50))
    layer = index_layer(io.BytesIO(data))
    assert layer.digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert layer.tar_bytes == len(data)
    # level-6 gzip of the whole tar, as docker push would; header bytes may differ slightly
    assert abs(layer.gzip_bytes - len(gzip.compress(data, compresslevel=6))) <= 16
    assert layer.gzip_bytes < layer.tar_bytes


def test_entries_kinds_sizes_modes_and_paths():
    layer = index(("d", "./usr"), ("f", "./usr/app.jar", b"x" * 1234, 0o4755),
                  ("l", "usr/java", "/usr/lib/jvm/java-25"), ("h", "usr/copy.jar", "usr/app.jar"))
    by_path = {e.path: e for e in layer.entries}
    assert set(by_path) == {"usr", "usr/app.jar", "usr/java", "usr/copy.jar"}  # no "./"
    assert by_path["usr"].kind == "d" and by_path["usr"].size == 0
    assert by_path["usr/app.jar"] == Entry("usr/app.jar", 1234, 0o4755, "f")
    # a symlink counts its target's length, as the engine's layer sizes do
    assert by_path["usr/java"].size == len("/usr/lib/jvm/java-25")
    assert by_path["usr/java"].kind == "l" and not by_path["usr/java"].is_file
    assert by_path["usr/copy.jar"].kind == "h" and by_path["usr/copy.jar"].is_file


def test_content_bytes_counts_files_and_symlink_targets_once():
    layer = index(("d", "usr"), ("f", "usr/a", b"x" * 10), ("l", "usr/b", "usr/a"),
                  ("h", "usr/c", "usr/a"))  # a hard link adds no bytes
    assert layer.content_bytes == 10 + len("usr/a")
    # read from a raw tar: stored as is
    assert layer.blob_bytes == layer.tar_bytes and layer.compression == "none"


def test_padding_after_end_marker_is_hashed_too():
    data = layer_tar(("f", "a", b"a")) + b"\0" * 4096
    assert index_layer(io.BytesIO(data)).tar_bytes == len(data)


def test_json_round_trip():
    layer = index(("f", "a", b"abc"), ("l", "b", "a"))
    assert LayerIndex.from_json(layer.to_json()) == layer


def test_index_saved_image_reads_only_wanted_layers():
    one, two = layer_tar(("f", "a", b"1")), layer_tar(("f", "b", b"22"))
    outer = io.BytesIO()
    with tarfile.open(fileobj=outer, mode="w") as tar:
        for name, data in (("l1/layer.tar", one), ("l2/layer.tar", two),
                           ("manifest.json", b"[]")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    wanted = {"sha256:" + hashlib.sha256(two).hexdigest()}
    payload = outer.getvalue()
    chunks = [payload[i:i + 777] for i in range(0, len(payload), 777)]  # odd chunk sizes
    found = index_saved_image(chunks, wanted)
    assert set(found) == wanted
    assert [e.path for e in found[next(iter(wanted))].entries] == ["b"]


def test_layer_cache_stores_and_drops_damaged_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path))
    layer = index(("f", "a", b"abc"))
    layers_mod.store(layer)
    assert layers_mod.cached(layer.digest) == layer
    layers_mod._cache_path(layer.digest).write_text("{not json")
    assert layers_mod.cached(layer.digest) is None
    assert not layers_mod._cache_path(layer.digest).exists()


# ----------------------------------------------------------------------------- flatten
MB = 1_000_000


def test_whiteout_deletes_a_file_and_wastes_its_bytes():
    base = index(("d", "tmp"), ("f", "tmp/big", b"x" * MB), ("f", "tmp/keep", b"k"))
    rm = index(("wh", "tmp/big"))
    fs = flatten([base, rm])
    assert "tmp/big" not in fs.files and "tmp/keep" in fs.files
    assert fs.wasted_bytes == MB
    assert fs.wasted == [("tmp/big", MB, 0, "deleted")]


def test_whiteout_of_a_directory_deletes_its_subtree():
    base = index(("d", "opt"), ("d", "opt/app"), ("f", "opt/app/a", b"a" * 10),
                 ("f", "opt/app/b", b"b" * 20), ("f", "opt/application", b"c" * 5))
    fs = flatten([base, index(("wh", "opt/app"))])
    assert set(fs.files) == {"opt", "opt/application"}  # a sibling with a common prefix stays
    assert fs.wasted_bytes == 30


def test_opaque_directory_hides_lower_contents_but_keeps_new_ones():
    base = index(("d", "cache"), ("f", "cache/old1", b"1" * 100), ("d", "cache/sub"),
                 ("f", "cache/sub/old2", b"2" * 50), ("f", "cachefile", b"z" * 7))
    top = index(("d", "cache"), ("opq", "cache"), ("f", "cache/new", b"n" * 3))
    fs = flatten([base, top])
    assert set(fs.files) == {"cache", "cache/new", "cachefile"}
    assert fs.wasted_bytes == 150
    assert {w[3] for w in fs.wasted} == {"deleted"}


def test_overwritten_file_wastes_the_lower_copy():
    fs = flatten([index(("f", "app.jar", b"v1" * 500)), index(("f", "app.jar", b"v2" * 600))])
    assert fs.files["app.jar"][0].size == 1200 and fs.files["app.jar"][1] == 1
    assert fs.wasted == [("app.jar", 1000, 0, "overwritten")]


def test_directory_replaced_by_a_file():
    base = index(("d", "data"), ("f", "data/a", b"a" * 40), ("f", "data/b", b"b" * 2))
    fs = flatten([base, index(("f", "data", b"now a file"))])
    assert set(fs.files) == {"data"}
    assert fs.files["data"][0].kind == "f"
    assert fs.wasted_bytes == 42
    assert {w[3] for w in fs.wasted} == {"overwritten"}


def test_symlinks_and_empty_files_waste_nothing():
    base = index(("l", "link", "/a/very/long/target"), ("f", "empty", b""))
    fs = flatten([base, index(("wh", "link"), ("wh", "empty"))])
    assert fs.files == {} and fs.wasted_bytes == 0


def test_delete_then_recreate_counts_once():
    fs = flatten([index(("f", "f", b"a" * 10)), index(("wh", "f")), index(("f", "f", b"b" * 3))])
    assert fs.files["f"][0].size == 3 and fs.files["f"][1] == 2
    assert fs.wasted_bytes == 10


@pytest.mark.parametrize("n", [1, 3])
def test_wasted_totals_add_up_across_layers(n):
    stack = [index(("f", "big", b"x" * MB))]
    for _ in range(n):
        stack += [index(("f", "big", b"y" * MB))]
    stack.append(index(("wh", "big")))
    fs = flatten(stack)
    assert fs.wasted_bytes == (n + 1) * MB == sum(w[1] for w in fs.wasted)


def test_root_level_dotfiles_and_whiteouts_keep_their_dot():
    # regression: "./" was stripped with lstrip("./"), which also ate the dot of ".wh.big"
    layer = index(("f", "./.profile", b"p"), ("wh", "big"))
    assert [e.path for e in layer.entries] == [".profile", ".wh.big"]

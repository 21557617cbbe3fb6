"""The pull path and real pushes, against a registry on 127.0.0.1 under test names
(``127.0.0.1:PORT/slimlab-test/…``), never an upstream name."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import urllib.request
import uuid

import pytest
from conftest import OS_IMAGE, TEST_LAB, remove_image
from slimlab import engine as slim_engine
from slimlab.builder import build_image
from slimlab.engine.transfer import download_size
from slimlab.errors import BaseImageMissing, EngineLimit, PullFailed
from slimlab.kit import prepare
from slimlab.registry import registry

pytestmark = pytest.mark.engine
NAMESPACE = "slimlab-test"


def _http(method: str, url: str, data: bytes = b"",
          content_type: str = "") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data or None, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, dict(reply.headers), reply.read()


def _upload_blob(host: str, name: str, blob: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    _, headers, _ = _http("POST", f"http://{host}/v2/{name}/blobs/uploads/", b"")
    location = headers["Location"]
    location = location if location.startswith("http") else f"http://{host}{location}"
    joiner = "&" if "?" in location else "?"
    _http("PUT", f"{location}{joiner}digest={digest}", blob, "application/octet-stream")
    return digest


def _image_the_engine_never_saw(reg, megabytes: int = 3) -> str:
    """The kit OS plus one layer of random bytes, assembled in the registry itself (blob
    uploads and a manifest), so no build cache or content store on this engine holds it
    and a pull must download it."""
    os_ref = reg.ref("os:1", NAMESPACE)
    reg.push(OS_IMAGE, "os:1", NAMESPACE)
    name = os_ref.split("/", 1)[1].rsplit(":", 1)[0]
    base = reg.manifest(os_ref)
    config = json.loads(_http("GET", f"http://{reg.host}/v2/{name}/blobs/"
                              f"{base['config']['digest']}")[2])
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        payload = os.urandom(megabytes * 1_000_000)
        info = tarfile.TarInfo("blob")
        info.size, info.mtime = len(payload), 0
        tar.addfile(info, io.BytesIO(payload))
    layer = gzip.compress(raw.getvalue(), mtime=0)
    config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw.getvalue()).hexdigest())
    config.pop("history", None)
    config_blob = json.dumps(config).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": _upload_blob(reg.host, name, config_blob),
                   "size": len(config_blob)},
        "layers": [*({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": item["digest"], "size": item["size"]}
                     for item in base["layers"]),
                   {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": _upload_blob(reg.host, name, layer), "size": len(layer)}],
    }
    tag = uuid.uuid4().hex[:8]
    _http("PUT", f"http://{reg.host}/v2/{name}/manifests/{tag}", json.dumps(manifest).encode(),
          "application/vnd.oci.image.manifest.v1+json")
    return f"{reg.host}/{name}:{tag}"


def test_a_base_image_is_pulled_with_progress_before_a_build(engine, tmp_path):
    with registry(TEST_LAB) as reg:
        ref = _image_the_engine_never_saw(reg)
        assert not slim_engine.image_exists(ref)
        expected = download_size(ref, slim_engine.platform())
        manifest = reg.manifest(ref)
        assert expected == sum(layer["size"] for layer in manifest["layers"]) + manifest[
            "config"]["size"]  # the sizes listed before a pull are the registry's own
        bar = prepare.PullProgress(ref, expected)
        events: list[prepare.LayerEvent] = []

        def seen(event: prepare.LayerEvent) -> None:
            events.append(event)
            bar(event)

        try:
            slim_engine.pull(ref, on_event=seen)
            bar.close()
            assert slim_engine.image_exists(ref)
            new_layer = manifest["layers"][-1]["digest"].removeprefix("sha256:")[:12]
            statuses = [e.status for e in events if e.layer == new_layer]
            assert "Download complete" in statuses or "Pull complete" in statuses, statuses
            assert (bar.bar.total, bar.bar.n) == (expected, expected)
            dockerfile = tmp_path / "Dockerfile.on-pulled"
            dockerfile.write_text("ARG BASE\nFROM ${BASE}\nRUN test -s /blob\n")
            context = tmp_path / "empty"
            context.mkdir()
            tag = f"slimlab-test/on-pulled:{uuid.uuid4().hex[:8]}"
            try:
                result = build_image(dockerfile, tag, context=context, lab=TEST_LAB,
                                     buildargs={"BASE": ref}, use_mirror=False, quiet=True)
                assert result.image_id
            finally:
                remove_image(engine, tag)
        finally:
            remove_image(engine, ref)


def test_a_missing_base_fails_before_the_build_and_nothing_is_pulled(engine, tmp_path):
    with registry(TEST_LAB) as reg:
        absent = reg.ref("absent:1", NAMESPACE)
        dockerfile = tmp_path / "Dockerfile"
        dockerfile.write_text("ARG BASE\nFROM ${BASE}\nRUN true\n")
        with pytest.raises(BaseImageMissing) as info:
            build_image(dockerfile, "slimlab-test/never:1", context=tmp_path, lab=TEST_LAB,
                        buildargs={"BASE": absent}, use_mirror=False, quiet=True)
        assert "slimlab prepare" in info.value.hint
        # the registry was never asked: a build that pulled would have asked it
        assert "/v2/slimlab-test/absent" not in reg.app.logs(tail=200)
        assert not slim_engine.image_exists("slimlab-test/never:1")


def test_pull_failures_name_their_cause(engine):
    with registry(TEST_LAB) as reg:
        with pytest.raises(PullFailed) as info:
            slim_engine.pull(reg.ref("no-such-image:1", NAMESPACE))
        assert info.value.cause == "the registry has no such image or tag"
        gone = reg.ref("base:1", NAMESPACE)
    with pytest.raises(PullFailed) as info:  # the registry is removed now: nobody answers
        slim_engine.pull(gone)
    assert info.value.cause == prepare.OFFLINE
    assert "bundle" in info.value.hint


def test_a_second_push_sends_only_the_changed_layer(engine, tmp_path, tiny_image):
    first = tiny_image("ARG OS_IMAGE\nFROM ${OS_IMAGE}\nRUN head -c 2000000 /dev/urandom > /a",
                       name="first")
    with registry(TEST_LAB) as reg:
        one = reg.push(first.tag, "app:1", NAMESPACE)
        again = reg.push(first.tag, "app:2", NAMESPACE)
    assert all(layer.sent for layer in one.layers)
    assert not any(layer.sent for layer in again.layers)
    assert all(layer.status.startswith(("Layer already exists", "Mounted from"))
               for layer in again.layers)
    assert again.sent_bytes < 10_000 < one.sent_bytes
    assert one.stored_bytes == again.stored_bytes


def test_an_apk_database_is_counted_in_an_image_without_a_shell(engine, tiny_image):
    from slimlab.metrics.image import inspect
    from slimlab.metrics.surface import surface

    built = tiny_image(
        "ARG OS_IMAGE\nFROM ${OS_IMAGE} AS db\n"
        "RUN mkdir -p /lib/apk/db && printf 'P:musl\\nV:1\\n\\nP:busybox\\nV:1\\n' "
        "> /lib/apk/db/installed\n"
        "FROM scratch\nCOPY --from=db /lib/apk /lib/apk\n", name="apk")
    found = surface(inspect(built.tag))
    assert (found.packages, found.shell) == (2, False)


def _compression(media_type: str) -> str:
    """``…tar+gzip`` (OCI) or ``…rootfs.diff.tar.gzip`` (Docker) -> ``gzip``."""
    return next(m for m in ("gzip", "zstd") if media_type.endswith(m))


@pytest.mark.parametrize("method", ["gzip", "zstd"])
def test_a_build_pushes_its_layers_compressed_as_asked(engine, tmp_path, method):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG OS_IMAGE\nFROM ${OS_IMAGE}\nRUN head -c 500000 /dev/zero > /z\n")
    if method == "zstd" and slim_engine.image_store() != "containerd":
        # the graph-driver store's pusher writes gzip whatever compression= says: refused
        with registry(TEST_LAB) as reg, pytest.raises(EngineLimit) as info:
            build_image(dockerfile, reg.ref("compressed-zstd:1", NAMESPACE), context=tmp_path,
                        lab=TEST_LAB, use_mirror=False, buildargs={"OS_IMAGE": OS_IMAGE},
                        quiet=True, push_compressed=method)
        assert "gzip" in info.value.message and "containerd-snapshotter" in info.value.hint
        return
    with registry(TEST_LAB) as reg:
        ref = reg.ref(f"compressed-{method}:1", NAMESPACE)
        build_image(dockerfile, ref, context=tmp_path, lab=TEST_LAB, use_mirror=False,
                    buildargs={"OS_IMAGE": OS_IMAGE}, quiet=True, push_compressed=method)
        layers = reg.manifest(ref)["layers"]
        assert {_compression(layer["mediaType"]) for layer in layers} == {method}
        assert reg.stored(ref).layers[-1].bytes < 5_000  # 500 kB of zeros compress away
    assert not slim_engine.image_exists(ref)  # pushed, never loaded into the engine

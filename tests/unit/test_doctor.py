"""slimlab doctor: each gap found, each with its fix (engine too old, buildx missing)."""

from __future__ import annotations

import pytest
from slimlab import engine
from slimlab.engine import buildx, doctor


class FakeClient:
    def __init__(self, version: str, info: dict) -> None:
        self._version, self._info = version, info

    def version(self) -> dict:
        return {"Version": self._version, "ApiVersion": "1.41"}

    def info(self) -> dict:
        return self._info


CONTAINERD = {"Driver": "overlayfs", "NCPU": 2, "MemTotal": 2**34,
              "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}
OVERLAY2 = {"Driver": "overlay2", "NCPU": 2, "MemTotal": 2**34,
            "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"]]}


def test_image_store_from_docker_info():
    assert doctor.image_store(CONTAINERD) == "containerd"
    assert doctor.image_store(OVERLAY2) == "overlay2"
    assert doctor.image_store({}) == "?"


@pytest.mark.parametrize("text,expected", [("26.1.5+dfsg1", (26, 1)), ("29.0.0", (29, 0)),
                                           ("20.10.24+dfsg1", (20, 10)), ("dev", (0, 0))])
def test_engine_versions(text, expected):
    assert doctor.engine_version_tuple(text) == expected


def _findings(monkeypatch, version: str, info: dict, buildx_version: str | None):
    monkeypatch.setattr(engine, "client", lambda: FakeClient(version, info))
    monkeypatch.setattr(buildx, "version", lambda: buildx_version)
    return {f.what: f for f in doctor.findings()}


def test_a_current_engine_on_the_containerd_store_is_healthy(monkeypatch):
    found = _findings(monkeypatch, "28.2.2", CONTAINERD, "0.25.0")
    assert found["engine"].status == doctor.OK and found["image store"].found == "containerd"
    assert found["buildx"].found == "buildx 0.25.0"
    assert doctor.healthy(list(found.values()))


def test_debian_12s_engine_is_too_old_and_has_no_buildx(monkeypatch):
    monkeypatch.setattr(buildx.shutil, "which", lambda name: "/usr/bin/docker")
    found = _findings(monkeypatch, "20.10.24+dfsg1", OVERLAY2, None)
    assert found["engine"].status == doctor.FAIL and "Engine 25 or newer" in found["engine"].fix
    assert found["buildx"].status == doctor.FAIL and "docker-buildx" in found["buildx"].fix
    assert found["image store"].found == "overlay2 (graph driver)"
    assert not doctor.healthy(list(found.values()))


def test_no_engine_is_one_finding_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    engine.client.cache_clear()
    try:
        found = doctor.findings()
    finally:
        engine.client.cache_clear()
    assert [f.status for f in found] == [doctor.FAIL]
    assert "Cannot reach the Docker engine" in found[0].found and found[0].fix

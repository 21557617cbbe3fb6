"""Attack surface counts packages from dpkg, distroless's status.d, or Alpine's apk."""

from __future__ import annotations

from types import SimpleNamespace

from slimlab.metrics import surface as surface_mod

APK_DB = "P:musl\nV:1.2.5-r0\n\nP:busybox\nV:1.36\n\nP:openjdk25-jre\nV:25\n"


def _report(paths: list[str]) -> SimpleNamespace:
    return SimpleNamespace(ref="x:1", fs=SimpleNamespace(files={p: None for p in paths}))


def test_apk_lines_are_counted_one_per_package():
    assert surface_mod.apk_packages(APK_DB) == 3
    assert surface_mod.apk_packages("") == 0


def test_alpine_images_are_counted_from_the_apk_database(monkeypatch):
    asked: list[tuple[str, str]] = []

    def read(image, path):
        asked.append((image, path))
        return APK_DB.encode()

    monkeypatch.setattr("slimlab.engine.read_image_file", read)
    assert surface_mod._package_count(_report(["lib/apk/db/installed", "bin/busybox"])) == 3
    assert asked == [("x:1", "/lib/apk/db/installed")]


def test_dpkg_wins_and_no_database_means_unknown(monkeypatch):
    monkeypatch.setattr("slimlab.engine.read_image_file", lambda *a: b"P:never\n")
    debian = _report(["var/lib/dpkg/info/a.list", "var/lib/dpkg/info/b.list"])
    assert surface_mod._package_count(debian) == 2
    assert surface_mod._package_count(_report(["var/lib/dpkg/status.d/libc6"])) == 1
    assert surface_mod._package_count(_report(["app.jar"])) is None

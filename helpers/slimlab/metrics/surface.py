"""Attack surface, read from the image's file system (no container needed, so it works
on images without a shell): what an intruder would find to work with."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from slimlab.metrics.image import ImageReport

SHELLS = ("bin/sh", "bin/bash", "bin/dash", "bin/busybox", "bin/ash")
PACKAGE_MANAGERS = ("bin/apt-get", "bin/dpkg", "sbin/apk", "bin/apk", "bin/microdnf",
                    "bin/dnf", "bin/yum", "bin/rpm")
COMPILERS = ("bin/javac", "bin/gcc", "bin/cc", "bin/g++")


@dataclass
class Surface:
    shell: bool
    package_manager: bool
    compiler: bool
    maven: bool
    setuid_files: int
    user: str
    packages: int | None  # None: no package database to count from

    def to_dict(self) -> dict:
        return asdict(self)


def _any(report: ImageReport, names: tuple[str, ...]) -> bool:
    """True when any name exists under /, /usr or a JDK's home (``**/bin/javac``)."""
    return any(report.has(f"{root}{name}") or report.has(f"*/{name}")
               for name in names for root in ("", "usr/"))


APK_DATABASE = "lib/apk/db/installed"  # Alpine: one file, a "P:<name>" line per package


def apk_packages(database: str) -> int:
    """Packages in Alpine's database: one ``P:`` line each."""
    return sum(1 for line in database.splitlines() if line.startswith("P:"))


def _package_count(report: ImageReport) -> int | None:
    """Debian's dpkg (a .list per package, or distroless's status.d), else Alpine's apk."""
    fs = report.fs.files
    dpkg = [p for p in fs if p.startswith("var/lib/dpkg/info/") and p.endswith(".list")]
    status_d = [p for p in fs if p.startswith("var/lib/dpkg/status.d/")]
    if dpkg or status_d:
        return len(dpkg) or len(status_d)
    if APK_DATABASE in fs:
        from slimlab import engine

        data = engine.read_image_file(report.ref, "/" + APK_DATABASE)
        return apk_packages(data.decode(errors="replace")) if data is not None else None
    return None


def surface(report: ImageReport) -> Surface:
    fs = report.fs.files
    setuid = sum(1 for entry, _ in fs.values() if entry.kind == "f" and entry.mode & 0o4000)
    packages = _package_count(report)
    return Surface(
        shell=_any(report, SHELLS),
        package_manager=_any(report, PACKAGE_MANAGERS),
        compiler=_any(report, COMPILERS),
        maven=_any(report, ("bin/mvn",)),
        setuid_files=setuid,
        user=report.user,
        packages=packages,
    )

"""Debian facts the kit needs: the machine's own mirror (read from its apt sources at run
time, never written down) and a minimal trixie root file system made by debootstrap."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from slimlab import config
from slimlab.errors import KitError
from slimlab.kit import tools

SUITE = "trixie"
APT_SOURCES = Path("/etc/apt")

# What a minimal base does not need; Debian's own slim images drop the same.
ROOTFS_JUNK = (
    "var/cache/apt/archives/*.deb", "var/cache/apt/*.bin", "var/lib/apt/lists/*",
    "usr/share/doc/*", "usr/share/man/*", "usr/share/info/*", "usr/share/locale/*",
    "var/log/*", "var/cache/debconf/*-old",
)


def mirror_from_sources(apt_dir: Path = APT_SOURCES) -> str:
    """The first Debian archive URI in the machine's apt sources (not the security one)."""
    texts: list[str] = []
    for path in [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*"))]:
        if path.is_file():
            texts.append(path.read_text(errors="replace"))
    uris: list[str] = []
    for text in texts:
        uris += re.findall(r"^\s*URIs:\s*(\S+)", text, flags=re.MULTILINE)
        uris += re.findall(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, flags=re.MULTILINE)
    for uri in uris:
        if uri.startswith(("http://", "https://")) and "security" not in uri:
            return uri.rstrip("/")
    raise KitError(
        "No Debian mirror found in this machine's apt sources.",
        hint="Set SLIMLAB_DEBIAN_MIRROR to a Debian mirror URL.",
    )


def debian_mirror() -> str:
    return config.debian_mirror_override() or mirror_from_sources()


def debootstrap(target: Path, mirror: str | None = None) -> None:
    """A cleaned minbase trixie in ``target`` (which must not exist yet)."""
    if shutil.which("debootstrap") is None:
        raise KitError(
            "debootstrap is not installed; the kit's OS image is made with it.",
            hint="On Debian or Ubuntu: `sudo apt-get install debootstrap`.",
        )
    mirror = mirror or debian_mirror()
    result = tools.run_tool(["debootstrap", "--variant=minbase", SUITE, str(target), mirror],
                       what=f"debootstrap of Debian {SUITE}", timeout=30 * tools.MINUTE)
    if result.returncode != 0:
        log_file = target / "debootstrap" / "debootstrap.log"
        detail = log_file.read_text(errors="replace") if log_file.exists() else result.stderr
        raise KitError(
            f"debootstrap of Debian {SUITE} failed (exit {result.returncode}).",
            hint="It needs root and the Debian mirror; check both, then run `make kit` again.",
            log="\n".join(detail.splitlines()[-15:]),
        )
    for pattern in ROOTFS_JUNK:
        for path in target.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def tar_rootfs(rootfs: Path, tar_path: Path) -> None:
    tools.run_tool(["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-cf", str(tar_path),
               "."], what="Packing the kit's root file system", timeout=10 * tools.MINUTE,
              check=True)

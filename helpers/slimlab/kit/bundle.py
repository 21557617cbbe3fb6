"""The classroom bundle: the kit images and the Maven repository in one folder, so a room
without a registry or Maven Central is set up from a USB stick.

``save(dir)`` writes one ``docker save`` tar per kit image, a tar of the Maven repository
and ``manifest.json`` (every file's size and sha256, each image's tag and id, the versions
of slimlab and of the repository's recipe). It writes into a temporary folder beside
``dir`` and renames it at the end, so a crash leaves nothing half-written.

``load(dir)`` verifies everything before it touches anything: the manifest parses, every
listed file is there with its size and sha256, nothing else is, each image tar names the
tag and id the manifest claims, every tar is complete, and no repository member would land
outside the repository. Only then are the images loaded and the repository unpacked (into
a temporary folder, renamed over SLIMLAB_MAVEN_REPO at the end).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from slimlab import config, engine
from slimlab.errors import BundleError
from slimlab.kit.bases import KIT_PREFIX
from slimlab.kit.maven import STAMP

FORMAT = 1
MANIFEST = "manifest.json"
REPO_FILE = "maven-repo.tar"
REPO_ROOT = "maven-repo"  # every member of the repository tar lives under this name
CHUNK = 1 << 20


@dataclass
class Manifest:
    """What a bundle holds. ``files`` maps each payload file to its size and sha256."""

    images: list[dict[str, str]] = field(default_factory=list)  # tag, id, file
    files: dict[str, dict] = field(default_factory=dict)  # name -> {"size", "sha256"}
    maven_repo: str = ""  # the repository tar's file name ("" when there is none)
    maven_repo_recipe: str = ""  # the primed repository's recipe stamp, if it has one
    slimlab_version: str = ""
    format: int = FORMAT

    @property
    def total_bytes(self) -> int:
        return sum(f["size"] for f in self.files.values())

    def __str__(self) -> str:
        repo = ", the Maven repository" if self.maven_repo else ""
        return f"{len(self.images)} images{repo}, {self.total_bytes / 1e6:.1f} MB"


def _slimlab_version() -> str:
    try:
        return version("slimlab")
    except PackageNotFoundError:
        return "unknown"


def _file_name(tag: str) -> str:
    return "image-" + re.sub(r"[^A-Za-z0-9.]+", "-", tag).strip("-") + ".tar"


def kit_tags() -> list[str]:
    """Every ``slimlab-kit/*`` tag on this machine."""
    tags = {t for img in engine.images(include_kit=True) for t in img.tags}
    return sorted(t for t in tags if t.startswith(KIT_PREFIX))


# ------------------------------------------------------------------------------ save
def save(dir: Path, images: list[str] | None = None, repo: Path | None = None) -> Manifest:
    """Write the bundle into ``dir`` (which must not exist or be empty)."""
    from docker.errors import ImageNotFound

    target = Path(dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BundleError(f"{target} already exists and is not empty.",
                          hint="Pick a new folder, or delete the old bundle first.")
    tags = list(images) if images is not None else kit_tags()
    if not tags:
        raise BundleError("There are no kit images to bundle.", hint="Build the kit: `make kit`.")
    repo = Path(repo or config.maven_repo())
    if not repo.is_dir():
        raise BundleError(f"The Maven repository {repo} does not exist.",
                          hint="Prime it first (`make kit`), or pass repo=.")

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        manifest = Manifest(slimlab_version=_slimlab_version(), maven_repo=REPO_FILE)
        stamp = repo / STAMP
        manifest.maven_repo_recipe = stamp.read_text().strip() if stamp.is_file() else ""
        for tag in tags:
            try:
                image = engine.client().images.get(tag)
            except ImageNotFound as exc:
                raise BundleError(f"There is no image {tag} to bundle.",
                                  hint="Build it first, or leave it out.") from exc
            name = _file_name(tag)
            with open(tmp / name, "wb") as fh:
                for chunk in image.save(chunk_size=CHUNK, named=tag):
                    fh.write(chunk)
            manifest.images.append({"tag": tag, "id": image.id, "file": name})
        with tarfile.open(tmp / REPO_FILE, "w") as tar:
            tar.add(repo, arcname=REPO_ROOT)
        for path in sorted(tmp.iterdir()):
            manifest.files[path.name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
        (tmp / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
        if target.exists():
            target.rmdir()  # empty (checked above)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------------------ verify
def read_manifest(dir: Path) -> Manifest:
    path = Path(dir) / MANIFEST
    if not path.is_file():
        raise BundleError(f"{path} is missing: this is not a bundle (or an incomplete one).",
                          hint="Copy the whole bundle folder again.")
    try:
        data = json.loads(path.read_text())
        manifest = Manifest(**data)
        if manifest.format != FORMAT:
            raise BundleError(f"{path} has format {manifest.format}; this slimlab reads "
                              f"format {FORMAT}.", hint="Use the slimlab that wrote it.")
        for name, meta in manifest.files.items():
            if not (isinstance(meta["size"], int) and isinstance(meta["sha256"], str)):
                raise TypeError(name)
            if name != posixpath.basename(name) or name in ("", ".", "..", MANIFEST):
                raise BundleError(f"{path} lists a file outside the bundle: {name!r}.")
        for image in manifest.images:
            if not all(isinstance(image.get(k), str) for k in ("tag", "id", "file")):
                raise TypeError(image)
            if image["file"] not in manifest.files:
                raise BundleError(f"{path}: the tar of {image['tag']} ({image['file']}) "
                                  "is not among the listed files.")
        if manifest.maven_repo and manifest.maven_repo not in manifest.files:
            raise BundleError(f"{path}: the repository tar {manifest.maven_repo} is not "
                              "among the listed files.")
    except BundleError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BundleError(f"{path} is damaged: {exc!r}.",
                          hint="Copy the bundle again from its source.") from exc
    return manifest


def _damaged(name: str, what: str) -> BundleError:
    return BundleError(f"Bundle file {name} {what}.",
                       hint="The copy is damaged or incomplete: copy the bundle again. "
                       "Nothing was loaded.")


@dataclass
class _Scan:
    sha256: str
    members: dict[str, tarfile.TarInfo]
    docker_manifest: list | None  # an image tar's own manifest.json


class _HashingReader:
    def __init__(self, fh) -> None:
        self.fh = fh
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.sha.update(data)
        return data


def _scan(path: Path) -> _Scan:
    """One pass over a tar file: its sha256, its members, and whether it is complete
    (every member whole, then the end-of-archive marker: two zero blocks)."""
    members: dict[str, tarfile.TarInfo] = {}
    docker_manifest = None
    with open(path, "rb") as fh:
        reader = _HashingReader(fh)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    members[member.name] = member
                    if member.name == "manifest.json" and member.isfile():
                        docker_manifest = json.loads(tar.extractfile(member).read())
                end = tar.offset
        except (tarfile.TarError, EOFError, ValueError, OSError) as exc:
            raise _damaged(path.name, f"is not a complete tar ({exc})") from exc
        while reader.read(CHUNK):
            pass
        fh.seek(end)
        trailer = fh.read()
    if len(trailer) < 1024 or trailer.count(0) != len(trailer):
        raise _damaged(path.name, "is truncated (its tar has no end-of-archive marker)")
    return _Scan(reader.sha.hexdigest(), members, docker_manifest)


def _check_image_tar(name: str, scan: _Scan, tag: str, image_id: str) -> None:
    entries = scan.docker_manifest
    if not (isinstance(entries, list) and len(entries) == 1 and isinstance(entries[0], dict)):
        raise _damaged(name, "has no docker manifest.json naming one image")
    entry = entries[0]
    if entry.get("RepoTags") != [tag]:
        raise _damaged(name, f"holds {entry.get('RepoTags')}, not {tag} as the manifest says")
    if entry.get("Config") != image_id.removeprefix("sha256:") + ".json":
        raise _damaged(name, f"holds image {entry.get('Config')}, not {image_id}")
    missing = [p for p in [*entry.get("Layers", []), entry["Config"]] if p not in scan.members]
    if missing:
        raise _damaged(name, f"lacks {', '.join(missing)}")


def _check_repo_tar(name: str, scan: _Scan) -> None:
    for member in scan.members.values():
        path = posixpath.normpath(member.name)
        inside = path == REPO_ROOT or path.startswith(REPO_ROOT + "/")
        ok_kind = member.isfile() or member.isdir() or member.issym() or member.islnk()
        if member.issym():
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), member.linkname))
        elif member.islnk():
            target = posixpath.normpath(member.linkname)
        else:
            target = path
        if (member.name.startswith("/") or ".." in member.name.split("/") or not inside
                or not ok_kind or not (target == REPO_ROOT or target.startswith(REPO_ROOT + "/"))):
            raise _damaged(name, f"has a member that would leave the repository: "
                           f"{member.name!r}" + (f" -> {member.linkname!r}"
                                                 if member.linkname else ""))


def verify(dir: Path) -> Manifest:
    """Check a bundle completely without loading anything; raises BundleError naming the
    first problem found."""
    dir = Path(dir)
    manifest = read_manifest(dir)
    present = {p.relative_to(dir).as_posix() for p in dir.rglob("*") if not p.is_dir()}
    present.discard(MANIFEST)
    missing = sorted(set(manifest.files) - present)
    if missing:
        raise BundleError(f"The bundle in {dir} lacks {', '.join(missing)}.",
                          hint="Copy the whole bundle folder again. Nothing was loaded.")
    extra = sorted(present - set(manifest.files))
    if extra:
        raise BundleError(f"The bundle in {dir} holds files its manifest does not list: "
                          f"{', '.join(extra)}.",
                          hint="Remove them, or copy the bundle again. Nothing was loaded.")
    for name, meta in manifest.files.items():
        size = (dir / name).stat().st_size
        if size != meta["size"]:
            raise _damaged(name, f"has {size} bytes; the manifest says {meta['size']}")
    images = {image["file"]: image for image in manifest.images}
    for name, meta in manifest.files.items():
        scan = _scan(dir / name)
        if scan.sha256 != meta["sha256"]:
            raise _damaged(name, f"has sha256 {scan.sha256[:16]}…; the manifest says "
                           f"{meta['sha256'][:16]}…")
        if name in images:
            _check_image_tar(name, scan, images[name]["tag"], images[name]["id"])
        elif name == manifest.maven_repo:
            _check_repo_tar(name, scan)
    return manifest


# ------------------------------------------------------------------------------ load
def load(dir: Path) -> Manifest:
    """Verify the bundle in ``dir``, then load its images and its Maven repository."""
    dir = Path(dir)
    manifest = verify(dir)
    repo = config.maven_repo()
    staged: Path | None = None
    try:
        if manifest.maven_repo:
            repo.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=".maven-repo.loading-", dir=repo.parent))
            with tarfile.open(dir / manifest.maven_repo) as tar:
                tar.extractall(staged, filter="data")
        for image in manifest.images:
            with open(dir / image["file"], "rb") as fh:
                loaded = engine.client().images.load(fh)
            ids = {img.id for img in loaded}
            if image["id"] not in ids:
                raise BundleError(f"Loading {image['file']} gave {sorted(ids)}, not "
                                  f"{image['id']}.", hint="Copy the bundle again.")
        if staged is not None:
            old = None
            if repo.exists():
                old = repo.with_name(f".{repo.name}.replaced-{staged.name}")
                repo.rename(old)
            try:
                (staged / REPO_ROOT).rename(repo)
            except OSError:
                if old is not None:
                    old.rename(repo)  # put the previous repository back
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
    return manifest

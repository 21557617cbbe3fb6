"""The classroom bundle: the kit images and the Maven repository in one folder, so a room
without a registry or Maven Central is set up from a USB stick.

``save(dir)`` writes one ``docker save`` tar per kit image (``slimlab-kit/…`` only: any
other name could pass for an upstream image on the machines that load it), a tar of the
Maven repository and ``manifest.json`` (every file's size and sha256, each image's tag and
id, the versions of slimlab and of the repository's recipe). It writes into a temporary
folder beside ``dir``, checks every file as ``load`` will, and renames the folder at the
end, so a crash leaves nothing half-written.

``load(dir)`` verifies everything before it touches anything: the manifest parses, every
listed file is there with its size and sha256, nothing else is, each image tar names only
the kit tag and the id the manifest claims (in docker's legacy layout or the OCI layout of
Engine 25+, from either image store), every tar is complete with no member name twice, and
no repository member would land outside the repository. It reads each file once, into a
private staging folder, and loads only those staged copies: a file changed in the bundle
meanwhile cannot slip in unverified. Only then are the images loaded and the repository
unpacked (into a temporary folder, renamed over SLIMLAB_MAVEN_REPO at the end).

The engine is reached only through ``slimlab.engine`` (inspect, save, load, list).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

from slimlab import config, engine
from slimlab.errors import BundleError, ImageMissing, SlimlabError
from slimlab.kit.bases import KIT_PREFIX
from slimlab.kit.maven import STAMP

FORMAT = 1
MANIFEST = "manifest.json"
REPO_FILE = "maven-repo.tar"
REPO_ROOT = "maven-repo"  # every member of the repository tar lives under this name
CHUNK = 1 << 20
DOCUMENTS = ("manifest.json", "index.json", "repositories")  # an image tar's own JSON files
DOCUMENT_LIMIT = 16 << 20  # docker writes them in kilobytes; more is not docker's

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_KIT_TAG = re.compile(re.escape(KIT_PREFIX) + _COMPONENT + rf"(?:/{_COMPONENT})*"
                      r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?")
_BLOB = re.compile(r"blobs/sha256/([0-9a-f]{64})")  # the OCI layout (Engine 25+)
_LEGACY_CONFIG = re.compile(r"([0-9a-f]{64})\.json")  # the legacy layout: <image id>.json
_RETRY = "The copy is damaged or incomplete: copy the bundle again. Nothing was loaded."
_FOREIGN = (f"A bundle carries only {KIT_PREFIX}… images; this one was altered. Take the "
            "bundle from its source again. Nothing was loaded.")


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


def is_kit_tag(tag: str) -> bool:
    """A kit image's tag as docker shows it locally (``slimlab-kit/jre:25``): the only
    images a bundle may carry, so none can pass for an upstream image."""
    return _KIT_TAG.fullmatch(tag) is not None


def _familiar(ref: str) -> str:
    """A reference as docker shows it: without ``docker.io/`` (and ``library/``)."""
    for registry in ("docker.io/", "index.docker.io/"):
        if ref.startswith(registry):
            return ref.removeprefix(registry).removeprefix("library/")
    return ref


def kit_tags() -> list[str]:
    """Every ``slimlab-kit/*`` tag on this machine."""
    tags = {t for img in engine.images(include_kit=True) for t in img.tags}
    return sorted(t for t in tags if is_kit_tag(t))


# ------------------------------------------------------------------------------ save
def save(dir: Path, images: list[str] | None = None, repo: Path | None = None) -> Manifest:
    """Write the bundle into ``dir`` (which must not exist or be empty)."""
    target = Path(dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BundleError(f"{target} already exists and is not empty.",
                          hint="Pick a new folder, or delete the old bundle first.")
    tags = list(dict.fromkeys(images)) if images is not None else kit_tags()
    if not tags:
        raise BundleError("There are no kit images to bundle.", hint="Build the kit: `make kit`.")
    foreign = [t for t in tags if not is_kit_tag(t)]
    if foreign:
        raise BundleError(f"{', '.join(foreign)} "
                          f"{'is not a kit image' if len(foreign) == 1 else 'are not kit images'}"
                          f": a bundle carries only {KIT_PREFIX}… images.",
                          hint="Leave it out: on the machines that load the bundle it could "
                          "pass for an upstream image.")
    files = [_file_name(t) for t in tags]
    if len(set(files)) != len(files):
        raise BundleError(f"Two of {', '.join(tags)} would share one file in the bundle.",
                          hint="Bundle them separately.")
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
        for tag, name in zip(tags, files, strict=True):
            try:
                attrs = engine.inspect_image(tag)
                image_id = attrs["Id"]
                layers = " ".join((attrs.get("RootFS") or {}).get("Layers") or [])
                with open(tmp / name, "wb") as fh:
                    for chunk in engine.save_image(tag, chunk_size=CHUNK):
                        fh.write(chunk)
            except ImageMissing:
                raise BundleError(f"There is no image {tag} to bundle.",
                                  hint="Build it first, or leave it out.") from None
            manifest.images.append({"tag": tag, "id": image_id, "file": name,
                                    "layers": layers})
        with tarfile.open(tmp / REPO_FILE, "w") as tar:
            tar.add(repo.resolve(), arcname=REPO_ROOT)  # a symlinked repository: its content
        for path in sorted(tmp.iterdir()):
            scan = _scan(path, image=path.name in files)
            manifest.files[path.name] = {"size": scan.size, "sha256": scan.sha256}
            try:  # what load would refuse is not written at all
                _check_file(manifest, path.name, scan)
            except BundleError as exc:
                raise BundleError(f"Not writing a bundle that would not load: {exc.message}",
                                  hint="Rebuild the image (or re-prime the repository) and "
                                  "save again.", log=exc.log) from None
        (tmp / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
        if target.exists():
            target.rmdir()  # empty (checked above)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


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
            if not isinstance(image.get("layers", ""), str):
                raise TypeError(image)
            if not is_kit_tag(image["tag"]):
                raise BundleError(f"{path} lists {image['tag']}, which is not a kit image.",
                                  hint=_FOREIGN)
            if image["file"] not in manifest.files:
                raise BundleError(f"{path}: the tar of {image['tag']} ({image['file']}) "
                                  "is not among the listed files.")
        if manifest.maven_repo and manifest.maven_repo not in manifest.files:
            raise BundleError(f"{path}: the repository tar {manifest.maven_repo} is not "
                              "among the listed files.")
        used = [image["file"] for image in manifest.images]
        if len(set(used)) != len(used) or manifest.maven_repo in used:
            raise BundleError(f"{path} names one file for two things.")
    except BundleError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BundleError(f"{path} is damaged: {exc!r}.",
                          hint="Copy the bundle again from its source.") from exc
    return manifest


def _damaged(name: str, what: str, hint: str = _RETRY) -> BundleError:
    return BundleError(f"Bundle file {name} {what}.", hint=hint)


def _key(name: str) -> str:
    """A member name as it lands on disk: ``./a//b`` and ``/a/b`` are both ``a/b``."""
    return posixpath.normpath(name.lstrip("/"))


@dataclass
class _Scan:
    """What one pass over a tar file found."""

    sha256: str = ""
    size: int = 0
    members: dict[str, tarfile.TarInfo] = field(default_factory=dict)  # by _key(name)
    documents: dict[str, bytes] = field(default_factory=dict)  # an image tar's DOCUMENTS
    digests: dict[str, str] = field(default_factory=dict)  # member named by a hash -> its hash
    problem: str = ""  # why the tar is not whole; reported once its sha256 is known good


class _Reader:
    """Hands a file to tarfile while hashing it, copying it (into the staging folder) and
    noting where its last non-zero byte lies: the end-of-archive marker must be zeros."""

    def __init__(self, fh: BinaryIO, copy: BinaryIO | None) -> None:
        self.fh, self.copy = fh, copy
        self.sha = hashlib.sha256()
        self.size = 0
        self.data_end = 0  # offset just past the last non-zero byte
        self.eof = False
        self.copy_error: OSError | None = None

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        if size is None or size < 0 or len(data) < size:
            self.eof = True
        if data:
            self.sha.update(data)
            kept = len(data.rstrip(b"\0"))
            if kept:
                self.data_end = self.size + kept
            self.size += len(data)
            if self.copy is not None:
                try:
                    self.copy.write(data)
                except OSError as exc:
                    self.copy_error = exc
                    raise
        return data


@contextlib.contextmanager
def _create(path: Path | None) -> Iterator[BinaryIO | None]:
    if path is None:
        yield None
        return
    with open(path, "xb", opener=lambda p, flags: os.open(p, flags, 0o600)) as fh:
        yield fh


def _staging_failed(copy: Path, exc: OSError) -> BundleError:
    return BundleError(f"Cannot copy the bundle to a staging folder in {copy.parent.parent}: "
                       f"{exc.strerror or exc}.",
                       hint="Free disk space there, or point SLIMLAB_HOME at a bigger disk. "
                       "Nothing was loaded.")


def _scan(path: Path, copy_to: Path | None = None, image: bool = False) -> _Scan:
    """One pass over a tar file (copied to ``copy_to`` on the way): its sha256, its members,
    whether it is complete (every member whole, then the end-of-archive marker: two zero
    blocks) and, for an image tar, its JSON documents and the sha256 of every member named
    by one. Problems are noted, not raised: a wrong sha256 is the clearer message."""
    scan = _Scan()
    end: int | None = None
    with open(path, "rb") as fh, _create(copy_to) as copy:
        reader = _Reader(fh, copy)
        try:
            # typeshed wants write/tell/seek/close of any fileobj; a "r|" stream only reads
            with tarfile.open(fileobj=reader, mode="r|", bufsize=CHUNK) as tar:  # type: ignore[call-overload]
                for member in tar:
                    key = _key(member.name)
                    if key in scan.members:
                        scan.problem = f"holds two members named {key!r}"
                        break
                    scan.members[key] = member
                    if image and member.isreg():
                        _read_member(tar, member, key, scan)
                else:
                    end = tar.offset
        except (tarfile.TarError, EOFError, ValueError, OSError) as exc:
            if reader.copy_error is not None:
                raise _staging_failed(copy_to or path, reader.copy_error) from None
            scan.problem = ("is truncated" if reader.eof
                            else f"is not a complete tar ({exc})")
        try:
            while reader.read(CHUNK):
                pass
        except OSError as exc:
            if reader.copy_error is not None:
                raise _staging_failed(copy_to or path, exc) from None
            raise
    scan.sha256, scan.size = reader.sha.hexdigest(), reader.size
    if end is not None and not scan.problem and (reader.size - end < 2 * tarfile.BLOCKSIZE
                                                 or reader.data_end > end):
        scan.problem = "is truncated (its tar has no end-of-archive marker)"
    return scan


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, key: str, scan: _Scan) -> None:
    """Keep an image tar's small JSON documents; hash each member named by its sha256."""
    if key in DOCUMENTS:
        if member.size <= DOCUMENT_LIMIT:
            document = tar.extractfile(member)
            assert document is not None  # a regular member (the caller's test) has a body
            scan.documents[key] = document.read()
    elif _BLOB.fullmatch(key) or _LEGACY_CONFIG.fullmatch(key):
        digest = hashlib.sha256()
        data = tar.extractfile(member)
        assert data is not None  # as above
        while chunk := data.read(CHUNK):
            digest.update(chunk)
        scan.digests[key] = digest.hexdigest()


def _document(name: str, scan: _Scan, key: str) -> object:
    """An image tar's JSON document, parsed; None when the tar has none."""
    if key not in scan.members:
        return None
    if key not in scan.documents:
        raise _damaged(name, f"holds a {key} that is not docker's (too large, or not a file)")
    try:
        return json.loads(scan.documents[key])
    except ValueError:
        raise _damaged(name, f"holds a {key} that is not JSON") from None


def _check_name(name: str, ref: object, tag: str | None) -> None:
    """A name the tar would give its image: a kit name, and ``tag`` when that is given."""
    if not isinstance(ref, str):
        raise _damaged(name, f"names {ref!r}, which is not an image name")
    if not is_kit_tag(_familiar(ref)):
        raise _damaged(name, f"names {ref}, which is not a kit image", _FOREIGN)
    if tag is not None and _familiar(ref) != tag:
        raise _damaged(name, f"names {ref}, not {tag} as the manifest says")


def _index_digests(name: str, scan: _Scan, tag: str) -> set[str]:
    """The digests index.json lists (the containerd store's image id is one of them),
    after checking every name its annotations give."""
    index = _document(name, scan, "index.json")
    if index is None:
        return set()
    listed = index.get("manifests") if isinstance(index, dict) else None
    if not (isinstance(listed, list) and all(isinstance(m, dict) for m in listed)):
        raise _damaged(name, "holds a malformed index.json")
    digests = set()
    for descriptor in listed:
        annotations = descriptor.get("annotations") or {}
        if not isinstance(annotations, dict):
            raise _damaged(name, "holds a malformed index.json")
        if "io.containerd.image.name" in annotations:
            _check_name(name, annotations["io.containerd.image.name"], tag)
        ref_name = annotations.get("org.opencontainers.image.ref.name")
        if ref_name is not None and ref_name != tag.rpartition(":")[2]:  # docker: the tag
            _check_name(name, ref_name, tag)
        if isinstance(descriptor.get("digest"), str):
            digests.add(descriptor["digest"])
    return digests


def _check_image_tar(name: str, scan: _Scan, tag: str, image_id: str) -> None:
    """The tar holds the image the manifest names, under its kit tag and no other name, in
    either layout ``docker save`` writes: legacy (``<id>.json``, ``<layer>/layer.tar``) or
    OCI (``blobs/sha256/…``, Engine 25+), whose id is the config's digest (overlay2 store)
    or that of an image index listed in index.json (containerd store)."""
    entries = _document(name, scan, "manifest.json")
    if not (isinstance(entries, list) and len(entries) == 1 and isinstance(entries[0], dict)):
        raise _damaged(name, "has no docker manifest.json naming one image")
    entry = entries[0]
    repo_tags, config, layers = entry.get("RepoTags"), entry.get("Config"), entry.get("Layers")
    if not (isinstance(repo_tags, list) and isinstance(config, str)
            and isinstance(layers, list) and all(isinstance(p, str) for p in layers)):
        raise _damaged(name, "holds a malformed docker manifest.json")
    for other in repo_tags:
        _check_name(name, other, None)
    if repo_tags != [tag]:
        raise _damaged(name, f"holds {repo_tags}, not {tag} as the manifest says")
    listed = _index_digests(name, scan, tag)
    repositories = _document(name, scan, "repositories")  # legacy: {repository: {tag: id}}
    if repositories is not None:
        if not isinstance(repositories, dict):
            raise _damaged(name, "holds a malformed repositories file")
        for repository in repositories:
            _check_name(name, repository, None)

    if legacy := _LEGACY_CONFIG.fullmatch(_key(config)):
        ids, needed = {"sha256:" + legacy[1]}, [*layers, config]
    elif oci := _BLOB.fullmatch(_key(config)):
        ids, needed = {"sha256:" + oci[1], *listed}, [*layers, config]
        if image_id in listed:  # the index itself must be there too
            needed.append("blobs/sha256/" + image_id.removeprefix("sha256:"))
    else:
        raise _damaged(name, f"names a config {config!r} in no layout docker writes")
    if image_id not in ids:
        raise _damaged(name, f"holds image {config}, not {image_id}")
    missing = [p for p in needed if _key(p) not in scan.members]
    if missing:
        raise _damaged(name, f"lacks {', '.join(missing)}")
    for key, member in scan.members.items():
        if (_BLOB.fullmatch(key) or key == _key(config)) and not member.isreg():
            raise _damaged(name, f"holds {member.name} as a link, not as content")
    for key, actual in scan.digests.items():
        named = _BLOB.fullmatch(key) or _LEGACY_CONFIG.fullmatch(key)
        if named and actual != named[1]:
            raise _damaged(name, f"holds {key} whose content does not match its name "
                           f"(sha256 {actual[:16]}…)")


def _check_repo_tar(name: str, scan: _Scan) -> None:
    """Every member lands inside ``maven-repo/``: no absolute or ``..`` name, no link out,
    no member written through a symlink and no symlink that climbs (``..``), since one
    link can carry another out where each alone looks inside. The root is a folder."""
    symlinks = {key for key, member in scan.members.items() if member.issym()}
    for key, member in scan.members.items():
        path = posixpath.normpath(member.name)
        inside = path == REPO_ROOT or path.startswith(REPO_ROOT + "/")
        ok_kind = member.isfile() or member.isdir() or member.issym() or member.islnk()
        if member.issym():
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), member.linkname))
        elif member.islnk():
            target = posixpath.normpath(member.linkname)
        else:
            target = path
        parts = key.split("/")
        through = any("/".join(parts[:i]) in symlinks for i in range(1, len(parts)))
        climbs = member.issym() and ".." in member.linkname.split("/")
        if (member.name.startswith("/") or ".." in member.name.split("/") or not inside
                or not ok_kind or through or climbs
                or not (target == REPO_ROOT or target.startswith(REPO_ROOT + "/"))):
            raise _damaged(name, f"has a member that would leave the repository: "
                           f"{member.name!r}" + (f" -> {member.linkname!r}"
                                                 if member.linkname else ""))
    root = scan.members.get(REPO_ROOT)
    if root is None or not root.isdir():
        raise _damaged(name, f"has no {REPO_ROOT} folder at its top")


def _check_file(manifest: Manifest, name: str, scan: _Scan) -> None:
    """Everything one scanned file must be besides its size and sha256."""
    if scan.problem:
        raise _damaged(name, scan.problem)
    for image in manifest.images:
        if image["file"] == name:
            _check_image_tar(name, scan, image["tag"], image["id"])
    if name == manifest.maven_repo:
        _check_repo_tar(name, scan)


def verify(dir: Path) -> Manifest:
    """Check a bundle completely without loading anything; raises BundleError naming the
    first problem found."""
    return _verify(Path(dir), None)


def _verify(dir: Path, stage: Path | None) -> Manifest:
    """``verify``; with ``stage``, each file is copied there in the same single read, so
    the staged copies are exactly the bytes that were checked."""
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
    if stage is not None:
        free = shutil.disk_usage(stage).free
        if free < manifest.total_bytes:
            raise BundleError(f"Loading copies the bundle ({manifest.total_bytes / 1e9:.1f} GB) "
                              f"into {stage.parent} first; only {free / 1e9:.1f} GB are free.",
                              hint="Free disk space there, or point SLIMLAB_HOME at a bigger "
                              "disk. Nothing was loaded.")
    image_files = {image["file"] for image in manifest.images}
    for name, meta in manifest.files.items():
        scan = _scan(dir / name, stage / name if stage else None, image=name in image_files)
        if scan.size != meta["size"]:  # it changed since the stat above
            raise _damaged(name, f"has {scan.size} bytes; the manifest says {meta['size']}")
        if scan.sha256 != meta["sha256"]:
            raise _damaged(name, f"has sha256 {scan.sha256[:16]}…; the manifest says "
                           f"{meta['sha256'][:16]}…")
        _check_file(manifest, name, scan)
    return manifest


# ------------------------------------------------------------------------------ load
def load(dir: Path) -> Manifest:
    """Verify the bundle in ``dir``, then load its images and its Maven repository, from
    private copies made while verifying: what is loaded is what was verified."""
    with _staging() as stage:
        manifest = _verify(Path(dir), stage)
        _install(manifest, stage)
    return manifest


@contextlib.contextmanager
def _staging() -> Iterator[Path]:
    """A private (0700) folder beside SLIMLAB_HOME, else in the temp dir, removed whatever
    happens (a refusal, a crash, KeyboardInterrupt): it holds a copy of the whole bundle."""
    home = config.home()
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{home.name}.bundle-", dir=home.parent))
    except OSError:  # no such folder, or not ours to write
        stage = Path(tempfile.mkdtemp(prefix="slimlab-bundle-"))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _install(manifest: Manifest, stage: Path) -> None:
    """Unpack the repository beside SLIMLAB_MAVEN_REPO, load each image, then swap the new
    repository in: a refusal on the way leaves the old one as it was."""
    repo = config.maven_repo()
    unpacked: Path | None = None
    try:
        if manifest.maven_repo:
            repo.parent.mkdir(parents=True, exist_ok=True)
            unpacked = Path(tempfile.mkdtemp(prefix=".maven-repo.loading-", dir=repo.parent))
            _unpack(stage / manifest.maven_repo, unpacked)
            (stage / manifest.maven_repo).unlink()  # its room, for the images' turn
        for image in manifest.images:
            _load_image(stage / image["file"], image)
        if unpacked is not None:
            old = None
            if repo.exists() or repo.is_symlink():
                old = repo.with_name(f".{repo.name}.replaced-{unpacked.name}")
                repo.rename(old)
            try:
                (unpacked / REPO_ROOT).rename(repo)
            except OSError:
                if old is not None:
                    old.rename(repo)  # put the previous repository back
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)


def _unpack(path: Path, dest: Path) -> None:
    """Unpack a verified repository tar; tarfile's own data filter refusing it still gives
    a short message, with its reason in the log."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            tar.extractall(dest, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BundleError(f"The Maven repository in {path.name} could not be unpacked.",
                          hint="No image was loaded and the Maven repository is unchanged. "
                          "If the log says the disk is full, free space; else copy the "
                          "bundle again from its source.", log=str(exc)) from None


def _same_layers(image: dict[str, str]) -> bool:
    """Loaded into another image store, the same image has another id (the containerd
    store names it by its manifest, overlay2 by its config): then its tag must carry the
    very layers (diff IDs) the bundle recorded."""
    if not image.get("layers"):
        return False
    try:
        found = engine.inspect_image(image["tag"])
    except ImageMissing:
        return False
    return " ".join((found.get("RootFS") or {}).get("Layers") or []) == image["layers"]


def _load_image(path: Path, image: dict[str, str]) -> None:
    """``docker load`` one staged image tar and check it gave the image the manifest names."""
    try:
        with open(path, "rb") as fh:
            ids = engine.load_image(fh)
    except SlimlabError:
        raise  # no engine: that message says what to do
    except Exception as exc:  # the engine's refusal (docker.errors.APIError, ImageLoadError…)
        raise BundleError(f"The engine refused to load {image['file']}, though it verified.",
                          hint="Images loaded before it stay; the Maven repository is "
                          "unchanged. The engine's reason is in the log: an engine too old "
                          "for this bundle's layout needs an update.", log=str(exc)) from None
    if image["id"] not in ids and not _same_layers(image):
        raise BundleError(f"Loading {image['file']} gave another image than {image['id']}.",
                          hint="Copy the bundle again from its source; the Maven repository "
                          "is unchanged.",
                          log="the engine loaded: " + (", ".join(ids) or "nothing")) from None

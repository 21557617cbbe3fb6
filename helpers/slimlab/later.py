"""Files that would answer an exercise met before them, held back in the attendee edition.

``Dockerfile.cache-mount`` already orders lab 01's steps, ``Dockerfile.layered`` already has
the runtime stage lab 02 asks for, ``sample-app/.dockerignore`` already keeps ``target/``
out. The attendee edition (``edition.write``) moves each such file into ``labs/.later/``
(out of sight, not a secret, like ``labs/.solutions.json``). A file comes back to its
place, with a one-line note, when the lab first needs it (``workbook.Target.buildable``)
or once its exercise has been attempted (``checkpoints.check``). In the instructor edition
nothing is held back and both calls do nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from slimlab import config

LATER_DIR = "labs/.later"

# file (relative to the workbook) -> the exercise (``hints.EXERCISES``) it would answer
HELD_BACK: dict[str, str] = {
    "labs/01-layers/Dockerfile.cache-mount": "ordered",
    "sample-app/.dockerignore": "dockerignore",
    "labs/02-multistage/Dockerfile.layered": "runtime-stage",
    "labs/02-multistage/Dockerfile.production": "runtime-stage",
    "labs/03-jre-alpine/Dockerfile.small": "jre-base",
}


def hold_back(root: Path) -> list[str]:
    """Move the held-back files of the workbook at ``root`` into ``labs/.later/``
    (the attendee edition does this once); returns what was moved."""
    moved = []
    for rel in HELD_BACK:
        source = root / rel
        if source.is_file():
            held = root / LATER_DIR / rel
            held.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, held)
            moved.append(rel)
    return moved


def release(rel: str, why: str, root: Path | None = None) -> bool:
    """Put a held-back file back in its place (never over a file the learner made)."""
    root = root or config.workbook_root()
    held, target = root / LATER_DIR / rel, root / rel
    if not held.is_file() or target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(held, target)
    print(f"{rel} is now in your workbook ({why}).")
    return True


def release_needed(path: Path, root: Path | None = None) -> None:
    """Before a build or a view reads ``path``: bring it back if it was held back."""
    root = root or config.workbook_root()
    if path.exists() or not path.is_relative_to(root):
        return
    rel = path.relative_to(root).as_posix()
    if rel in HELD_BACK:
        release(rel, "this part of the lab uses it", root)


def release_attempted(checkpoint: str, root: Path | None = None) -> None:
    """After a checkpoint ran: bring back the files of the exercise it tests."""
    from slimlab.hints import EXERCISES

    for rel, key in HELD_BACK.items():
        exercise = EXERCISES.get(key)
        if exercise and checkpoint in exercise.checkpoints:
            release(rel, f"you have tried the {key!r} exercise: compare it with yours", root)

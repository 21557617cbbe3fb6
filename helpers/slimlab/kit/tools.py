"""Host tools the kit runs (debootstrap, tar, Maven, bash scripts), each with a time limit:
a tool that hangs (a dead mirror, a stuck download) ends as a KitError saying which and
what to do, never as a wait without end or a bare TimeoutExpired."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from slimlab.errors import KitError

MINUTE = 60.0


def run_tool(argv: Sequence[str], *, what: str, timeout: float, check: bool = False,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` capturing its output; ``what`` names it in errors ("debootstrap of
    Debian trixie"). ``check``: a non-zero exit is a KitError with the output's tail."""
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                                env=env, cwd=cwd)
    except subprocess.TimeoutExpired as exc:
        tail = (exc.stderr or exc.stdout or b"")
        text = tail.decode(errors="replace") if isinstance(tail, bytes) else tail
        raise KitError(f"{what} did not finish within {timeout / MINUTE:.0f} minutes.",
                       hint="Check the network to the Debian mirror and Maven's repository, "
                       "then run `make kit` again.",
                       log="\n".join(text.splitlines()[-15:])) from None
    except FileNotFoundError:
        raise KitError(f"{what}: {argv[0]} is not installed.",
                       hint=f"Install {argv[0]} (Debian: `sudo apt-get install {argv[0]}`).",
                       ) from None
    if check and result.returncode != 0:
        raise KitError(f"{what} failed (exit {result.returncode}).",
                       log="\n".join((result.stderr or result.stdout).splitlines()[-15:]))
    return result

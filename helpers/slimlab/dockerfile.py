"""What a Dockerfile asks for before it is built: its base images after ``ARG`` substitution.

BuildKit pulls a missing ``FROM`` image by itself, silently, and counts the pull as build
time. Slimlab resolves every ``FROM`` first, so a missing base fails before the build
starts, with the fix named, and a build never pulls.
"""

from __future__ import annotations

import re

_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<name>\S+))?\s*$",
                   re.IGNORECASE)
_ARG = re.compile(r"^\s*ARG\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:=(?P<value>\S*))?",
                  re.IGNORECASE)
_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}"
                  r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def _lines(text: str) -> list[str]:
    """Logical lines: continuations joined, comments dropped."""
    joined = re.sub(r"\\\r?\n", " ", text)
    return [line for line in joined.splitlines() if not line.lstrip().startswith("#")]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def substitute(text: str, values: dict[str, str]) -> str:
    """``${X}``, ``$X`` and ``${X:-default}`` as BuildKit expands them in FROM."""
    def one(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bare")
        value = values.get(name, "")
        if not value and match.group("default") is not None:
            return match.group("default")
        return value
    return _VAR.sub(one, text)


def base_images(text: str, buildargs: dict[str, str] | None = None) -> list[str]:
    """The images the ``FROM`` lines name once ``ARG``s are filled in, in order, without
    ``scratch`` and without earlier stages (``FROM build``)."""
    buildargs = buildargs or {}
    scope: dict[str, str] = {}
    stages: set[str] = set()
    images: list[str] = []
    seen_from = False
    for line in _lines(text):
        arg = _ARG.match(line)
        if arg and not seen_from:  # only ARGs before the first FROM reach FROM lines
            name = arg.group("name")
            default = _unquote(arg.group("value") or "")
            scope[name] = buildargs.get(name, substitute(default, scope))
            continue
        match = _FROM.match(line)
        if not match:
            continue
        seen_from = True
        image = substitute(match.group("image"), scope)
        if match.group("name"):
            stages.add(match.group("name").lower())
        if image.lower() == "scratch" or image.lower() in stages - {
                (match.group("name") or "").lower()}:
            continue
        if image not in images:
            images.append(image)
    return images


def stage_names(text: str) -> list[str]:
    """The stages in Dockerfile order, named as BuildKit shows them: ``AS name`` or
    ``stage-N`` (N counted from 0) for an unnamed one."""
    names = []
    for line in _lines(text):
        match = _FROM.match(line)
        if match:
            names.append(match.group("name") or f"stage-{len(names)}")
    return names

"""Lab 04's helpers: the jlink runtime, its module list and what bloats it; the AOT cache."""

from __future__ import annotations

"""Lab 05's helpers: is a native-image builder available, and what Spring AOT generates."""

from __future__ import annotations

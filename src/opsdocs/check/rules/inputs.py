"""IN: files that cannot be read as a document at all."""

from __future__ import annotations

from opsdocs.check.registry import Rule

RULES = [Rule("IN001", "unreadable-file", "error", scope="engine")]

"""IN: files that cannot be read as a document at all."""

from __future__ import annotations

from opsdocs.check.registry import Rule

UNREADABLE = Rule(
    code="IN001",
    name="unreadable-file",
    summary="A file to check cannot be read as UTF-8 Markdown.",
    severity="error",
    scope="engine",
    what=(
        "Reports a file that opsdocs cannot read as a document: a binary file, invalid UTF-8, "
        "a file over 10 MB, a folder named like a document, a broken or looping symlink, or a "
        "file without read permission. The rest of the folder is still checked."
    ),
    why=(
        "A runbook nobody can open is no runbook. Such files usually come from a bad copy, an "
        "editor saving in another encoding, or a log file saved with a `.md` name."
    ),
    example="`runbook-api.md` saved as UTF-16 by an editor.",
    instead="Save the file as UTF-8 text, or remove it from the operations folder.",
)

RULES = [UNREADABLE]

"""Regenerate the generated parts of docs/: the command reference (and rule pages when present)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generated_files() -> dict[Path, str]:
    """Every generated docs file and the text it should hold."""
    from opsdocs.cli.reference import render_reference

    files = {ROOT / "docs" / "commands.md": render_reference()}
    try:
        from opsdocs.check.docs import render_rule_pages  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        for name, text in render_rule_pages().items():
            files[ROOT / "docs" / "rules" / name] = text
    return files


def main() -> int:
    for path, text in generated_files().items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

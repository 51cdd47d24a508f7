"""Template rendering in a sandbox.

Templates come from the user's repository, so they render in Jinja's immutable sandbox with
strict undefined variables: a template can format the values it is given and nothing more.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from opsdocs.errors import InputError

__all__ = ["render_template"]


def _yamlstr(value: object) -> str:
    """Escape a value for use inside a double-quoted YAML scalar."""
    return json.dumps(str(value), ensure_ascii=False)[1:-1]


def render_template(source: str, variables: dict[str, Any], *, path: str | Path) -> str:
    """Render ``source`` with ``variables``; errors name the template file and line."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["yamlstr"] = _yamlstr
    try:
        return env.from_string(source).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"template syntax error: {exc.message}",
            path=path,
            line=exc.lineno,
            hint="fix the {{ }} or {% %} tag",
        ) from None
    except jinja2.UndefinedError as exc:
        known = ", ".join(sorted(variables))
        raise InputError(
            f"template uses an unknown variable: {exc.message}",
            path=path,
            hint=f"templates can use: {known}",
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        raise InputError(
            f"template refused by the sandbox: {exc}", path=path, hint="use only plain variables"
        ) from None

"""Configuration: ``[tool.opsdocs]`` in ``pyproject.toml``, or ``opsdocs.toml``.

The root of a workspace is found by walking up from the current folder to the first folder that
holds ``opsdocs.toml``, a ``pyproject.toml`` with a ``[tool.opsdocs]`` table, or ``.git``. Unknown
keys are warnings (a typo should not break CI); a bad value is a :class:`ConfigError` that names
the key and the file. Each feature validates its own table (``[tool.opsdocs.check]``, ...) from
:meth:`Config.section`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from opsdocs.durations import checked, review_interval
from opsdocs.errors import ConfigError, OpsdocsWarning
from opsdocs.features import config_sections

__all__ = [
    "Config",
    "config_error",
    "find_root",
    "key_position",
    "load_config",
    "validate_section",
]

_Model = TypeVar("_Model", bound=BaseModel)

DEFAULT_DOCS_DIR = "docs/internal/operations"
DEFAULT_TEMPLATES_DIR = "templates/docs"

_SIZE = re.compile(r"^\s*([0-9]+)\s*(B|KiB|MiB|GiB)?\s*$")
_UNITS = {None: 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def parse_size(value: object) -> int:
    """A size in bytes from ``"64MiB"``, ``"512 KiB"``, ``"1GiB"``, ``"100B"`` or a number of
    bytes; ValueError otherwise (a pydantic validator)."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        found = _SIZE.match(value) if isinstance(value, str) else None
        if found is None:
            raise ValueError(f'{value!r} is not a size: write it like "64MiB" (B, KiB, MiB or GiB)')
        size = int(found.group(1)) * _UNITS[found.group(2)]
    if size <= 0:
        raise ValueError("must be more than 0 bytes")
    return size


class _Settings(BaseModel):
    model_config = ConfigDict(extra="allow")

    docs_dir: str = Field(default=DEFAULT_DOCS_DIR, min_length=1)
    templates_dir: str = Field(default=DEFAULT_TEMPLATES_DIR, min_length=1)
    review_every: Annotated[str, AfterValidator(checked(review_interval))] = "90d"
    owners: list[str] = Field(default_factory=list)
    max_file_size: Annotated[int | None, BeforeValidator(parse_size)] = None


@dataclass
class Config:
    """The settings of one workspace."""

    root: Path
    source: Path | None = None
    docs_dir: str = DEFAULT_DOCS_DIR
    templates_dir: str = DEFAULT_TEMPLATES_DIR
    review_every: str = "90d"
    owners: list[str] = field(default_factory=list)
    #: The largest file opsdocs reads, in bytes (None: each reader's own limit, 10 MiB for a
    #: document).
    max_file_size: int | None = None
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[OpsdocsWarning] = field(default_factory=list)

    def section(self, name: str) -> dict[str, Any]:
        """The raw table of a feature (empty when absent)."""
        return dict(self.sections.get(name, {}))

    def load_section(self, name: str, model: type[_Model], *, hint: str) -> _Model:
        """The feature table ``name`` validated as ``model``; :class:`ConfigError` at the key."""
        return validate_section(model, self.section(name), self.source, (name,), hint=hint)

    @property
    def source_label(self) -> str:
        return str(self.source) if self.source is not None else "configuration"


_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"^(\s*)((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(
        part.strip().strip("\"'")
        for part in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", text)
    )


def key_position(
    source: str | Path | None, keys: Sequence[object]
) -> tuple[int | None, int | None]:
    """Line and column of the opsdocs key path ``keys`` in the TOML file ``source``.

    ``keys`` is relative to the opsdocs table (``("check", "select")``); in ``pyproject.toml`` it
    lives below ``[tool.opsdocs]``. List indexes stop the path at the list's key. When the key is
    not written out (a missing key, an inline table) the nearest enclosing key or table header is
    given; ``(None, None)`` when nothing of the path is found or the file cannot be read.
    """
    if source is None:
        return None, None
    path = Path(source)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None, None
    prefix: tuple[str, ...] = ("tool", "opsdocs") if path.name == "pyproject.toml" else ()
    wanted: list[str] = list(prefix)
    for key in keys:
        if isinstance(key, int):
            break
        wanted.append(str(key))
    target = tuple(wanted)
    best: tuple[int, int | None, int | None] = (len(prefix), None, None)
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _dotted(header.group(1))
            found, col = table, line.index("[") + 1
        else:
            key = _KEY.match(line)
            if not key:
                continue
            found, col = table + _dotted(key.group(2)), len(key.group(1)) + 1
        if target[: len(found)] == found and len(found) > best[0]:
            best = (len(found), number, col)
            if found == target:
                break
    return best[1], best[2]


def config_error(
    source: str | Path | None, keys: Sequence[object], message: str, *, hint: str | None = None
) -> ConfigError:
    """A :class:`ConfigError` about ``keys`` (``check.select``), at their line in ``source``."""
    line, col = key_position(source, keys)
    label = ".".join(str(k) for k in keys)
    text = f"{label}: {message}" if label else message
    return ConfigError(text, path=source, line=line, col=col, hint=hint)


def validate_section(
    model: type[_Model],
    data: Any,
    source: str | Path | None,
    keys: Sequence[str] = (),
    *,
    hint: str,
) -> _Model:
    """``data`` (the table at ``keys``) validated as ``model``.

    The first pydantic error becomes a :class:`ConfigError` at the offending key's line in
    ``source`` (``slo.windows.0.short: must be a duration ... (see docs/...)``).
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        raise config_error(source, (*keys, *error["loc"]), message, hint=hint) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 has no lineno/colno attributes: the position is in the message.
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(found.group(1)) if found else None
        col = int(found.group(2)) if found else None
        message = re.sub(r" \(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(
            f"invalid TOML: {message}", path=path, line=line, col=col, hint="fix the TOML syntax"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None


def _table_in(directory: Path) -> tuple[Path, dict[str, Any]] | None:
    own = directory / "opsdocs.toml"
    if own.is_file():
        return own, _read_toml(own)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        table = data.get("tool", {}).get("opsdocs")
        if isinstance(table, dict):
            return pyproject, table
    return None


def find_root(start: Path) -> Path:
    """The workspace root for ``start`` (see the module docstring)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / "opsdocs.toml").is_file():
            return directory
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "opsdocs" in _read_toml(pyproject).get("tool", {}):
            return directory
        if (directory / ".git").exists():
            return directory
    return start


def load_config(root: Path) -> Config:
    """Read the configuration of the workspace at ``root``; its ``max_file_size`` becomes the
    limit of every file read from then on (:func:`opsdocs.fileio.set_max_file_size`)."""
    from opsdocs.fileio import set_max_file_size

    found = _table_in(root)
    if found is None:
        set_max_file_size(None)
        return Config(root=root)
    source, table = found
    settings = validate_section(_Settings, table, source, hint="see docs/configuration.md")
    config = Config(root, source, **{key: getattr(settings, key) for key in _Settings.model_fields})
    set_max_file_size(settings.max_file_size)
    # Tables owned by features (their descriptors name them); each validates its own keys.
    owned = config_sections()
    for key, value in (settings.model_extra or {}).items():
        if key in owned:
            if not isinstance(value, dict):
                header = f"tool.opsdocs.{key}" if source.name == "pyproject.toml" else key
                raise config_error(
                    source, (key,), "must be a table", hint=f"write it as [{header}]"
                )
            config.sections[key] = value
        else:
            line, col = key_position(source, (key,))
            config.warnings.append(
                OpsdocsWarning(
                    f"unknown key '{key}' (ignored)",
                    path=source,
                    line=line,
                    col=col,
                    hint="check its spelling; see docs/configuration.md",
                )
            )
    return config

"""Reading and writing other SLO formats: Sloth and OpenSLO.

A reader turns each SLO of a source into an :class:`ImportedSlo`: the keys of the opsdocs spec
that the source defines (``None`` where the source says "the default"), and for each key the
position in the source file it came from, so that every problem is reported at the key that
causes it. Keys the source does not define are not in :attr:`ImportedSlo.data`; the importer
keeps what the document already says there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError
from opsdocs.yamlio import YamlData

if TYPE_CHECKING:
    from opsdocs.slo.settings import SloSettings
    from opsdocs.slo.spec import SloSpec

__all__ = [
    "ImportedService",
    "ImportedSlo",
    "KeyPath",
    "Position",
    "Source",
    "defined",
    "merge_entry",
    "validate_entry",
]

KeyPath = tuple[str | int, ...]
#: ``(file, line, column)``.
Position = tuple[str, int, int]


@dataclass
class ImportedSlo:
    """One SLO read from another format: what it defines, and where each key came from."""

    name: str
    #: The keys of the opsdocs spec the source defines; ``None`` means "the default".
    data: dict[str, Any]
    #: Where a key path of ``data`` stands in the source; ``()`` is the SLO itself.
    positions: dict[KeyPath, Position] = field(default_factory=dict)

    def locate(self, key_path: KeyPath) -> Position:
        """The source position of ``key_path``, or of its nearest parent that has one."""
        path = tuple(key_path)
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path) or next(iter(self.positions.values()), ("", 1, 1))

    def error(self, key_path: KeyPath, message: str, hint: str | None = None) -> InputError:
        label, line, col = self.locate(key_path)
        return InputError(message, path=label or None, line=line, col=col, hint=hint)


@dataclass
class ImportedService:
    """The SLOs of one service read from another format, and where they came from."""

    service: str
    slos: list[SloSpec] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: What the source said that opsdocs does not take over, one ``path:line:col: text`` each.
    notes: list[str] = field(default_factory=list)
    #: The SLOs as the source defines them, in the order of :attr:`slos`.
    imported: list[ImportedSlo] = field(default_factory=list)
    #: Front-matter keys of the service's document the source defines (Sloth's Kubernetes
    #: manifest: where the rules go), merged like an SLO's keys.
    document: dict[str, Any] = field(default_factory=dict)


#: Keys replaced as a whole, never merged key by key (an indicator's keys depend on its type).
_WHOLE = frozenset({"indicator"})


def merge_entry(
    old: dict[str, Any] | None, new: dict[str, Any], *, top: bool = True
) -> dict[str, Any]:
    """``old`` updated with what ``new`` defines: ``None`` removes a key (the default), a
    mapping merges key by key (except an indicator), anything else replaces."""
    out = dict(old or {})
    for key, value in new.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and not (top and key in _WHOLE):
            before = out.get(key)
            merged = merge_entry(before if isinstance(before, dict) else None, value, top=False)
            if merged:
                out[key] = merged
            else:
                out.pop(key, None)
        else:
            out[key] = value
    return out


def defined(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the ``None`` values (the defaults) and the mappings left empty."""
    return merge_entry(None, data, top=False)


def validate_entry(
    entry: dict[str, Any],
    error: Callable[[KeyPath, str, str | None], InputError],
    settings: SloSettings | None = None,
) -> tuple[SloSpec, list[tuple[KeyPath, str]]]:
    """Validate one SLO entry as ``check`` does: the schema, then the checks of
    :func:`~opsdocs.slo.validate.check_slo` (queries, windows).

    Raises the first problem through ``error(key_path, message, hint)``; returns the spec and
    the warnings as ``(key_path, text)``.
    """
    from opsdocs.slo.settings import SloSettings
    from opsdocs.slo.validate import check_slo, keyed, load_front_matter

    name = entry.get("name")
    what = f"cannot import SLO {name!r}" if isinstance(name, str) else "cannot import SLO"
    section, problems = load_front_matter({"service": "imported", "slos": [entry]})
    for problem in problems:
        problem = replace(problem, key_path=problem.key_path[2:])  # under slos[0]
        raise error(problem.key_path, f"{what}: {keyed(problem, hint=False)}", problem.hint)
    assert section is not None
    [spec] = section.slos
    warnings = []
    for problem in check_slo(spec, settings or SloSettings()):
        if problem.severity == "error":
            message = f"{what}: {keyed(problem, hint=False)}"
            raise error(problem.key_path, message, problem.hint)
        warnings.append((problem.key_path, keyed(problem)))
    return spec, warnings


_NAMES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "true or false",
    float: "a number",
}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean (YAML reads yes, no, on, off, true and false so)"
    if isinstance(value, dict | list):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Source:
    """One YAML document of a source file, for typed reads that fail at the key."""

    doc: YamlData
    label: str

    def position(self, key_path: KeyPath) -> Position:
        line, col = self.doc.position(key_path) or (1, 1)
        return (self.label, line, col)

    def error(self, key_path: KeyPath, message: str, hint: str | None = None) -> InputError:
        _, line, col = self.position(key_path)
        return InputError(message, path=self.label, line=line, col=col, hint=hint)

    def get(
        self,
        data: dict[str, Any],
        at: KeyPath,
        key: str,
        kind: type,
        *,
        required: bool = False,
        hint: str | None = None,
        what: str = "",
    ) -> Any:
        """``data[key]`` (``data`` stands at ``at``) checked to be ``kind``; ``None`` when
        absent (an error when ``required``, its message after ``what``). A number is an int or
        a float, never a bool."""
        if key not in data or data[key] is None:
            if required:
                raise self.error(at, f"{what}'{key}' is required", hint)
            return None
        value = data[key]
        if kind is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        else:
            ok = isinstance(value, kind)
        if not ok:
            expected = _NAMES.get(kind, kind.__name__)
            raise self.error((*at, key), f"{what}'{key}' must be {expected}, not {_shown(value)}")
        return value

    def texts(
        self,
        data: dict[str, Any],
        at: KeyPath,
        key: str,
        noun: str,
        *,
        numbers: bool = False,
        what: str = "",
    ) -> dict[str, str] | None:
        """The mapping ``data[key]`` of strings (numbers too, read as text, with ``numbers``);
        a value of another type is an error naming it as a ``noun``; ``None`` when absent."""
        value = self.get(data, at, key, dict, what=what)
        kinds = str | int | float if numbers else str
        for name, text in (value or {}).items():
            if not isinstance(text, kinds) or isinstance(text, bool):
                message = f"{what}{noun} {name!r} must be a string, not {text!r}"
                raise self.error((*at, key, name), message)
        return None if value is None else {str(k): str(v) for k, v in value.items()}

"""Safe YAML loading that remembers where every key came from.

Only the safe loader is used (``CSafeLoader`` when libyaml is there): no Python tags. Aliases are
allowed, but a document whose aliases would expand beyond :data:`MAX_EXPANDED_NODES` nodes (the
"billion laughs" attack) is refused before it is built. Duplicate mapping keys are recorded
rather than silently collapsed, so a checker can report them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from opsdocs.errors import InputError

__all__ = [
    "MAX_EXPANDED_NODES",
    "KeyPath",
    "YamlData",
    "dump_yaml",
    "load_yaml",
    "load_yaml_all",
    "plain_reads_as_string",
]

KeyPath = tuple[str | int, ...]

#: Largest number of nodes a document may expand to once aliases are followed.
MAX_EXPANDED_NODES = 100_000

_Loader: type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


@dataclass
class YamlData:
    """A parsed YAML document, with 1-based file positions for each key path."""

    value: Any
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int, int]] = field(default_factory=list)

    def position(self, key_path: KeyPath) -> tuple[int, int] | None:
        """Position of ``key_path``, or of its nearest known parent."""
        path = tuple(key_path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get(())


def _error(exc: yaml.YAMLError, path: str | Path | None, line_offset: int) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {problem}"
    if context and "found" not in str(problem):
        message = f"invalid YAML: {context}, {problem}"
    if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in str(problem):
        hint = "only plain YAML is allowed; remove the '!' tag"
    else:
        hint = "fix the YAML syntax"
    line = mark.line + 1 + line_offset if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return InputError(message, path=path, line=line, col=col, hint=hint)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # guards against recursive aliases while we descend
    size = 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo) + _expanded_size(v, memo)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, memo)
    memo[key] = size
    return size


def _walk(
    node: yaml.Node, prefix: KeyPath, data: YamlData, line_offset: int, seen: set[int]
) -> None:
    if id(node) in seen:  # an alias: its positions were recorded where it was defined
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            key: str | int = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            pos = (key_node.start_mark.line + 1 + line_offset, key_node.start_mark.column + 1)
            if key in keys:
                data.duplicates.append(((*prefix, key), *pos))
            else:
                keys.add(key)
                data.positions[(*prefix, key)] = pos
            _walk(value_node, (*prefix, key), data, line_offset, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            data.positions[(*prefix, index)] = (
                item.start_mark.line + 1 + line_offset,
                item.start_mark.column + 1,
            )
            _walk(item, (*prefix, index), data, line_offset, seen)


def _build(loader: yaml.SafeLoader, node: yaml.Node | None, path: Any, offset: int) -> YamlData:
    if node is None:
        return YamlData(value=None)
    if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
        raise InputError(
            "YAML aliases expand to too many nodes",
            path=path,
            line=node.start_mark.line + 1 + offset,
            col=node.start_mark.column + 1,
            hint=f"keep the expanded document under {MAX_EXPANDED_NODES} nodes",
        )
    data = YamlData(value=None)
    data.positions[()] = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    _walk(node, (), data, offset, set())
    data.value = loader.construct_document(node)
    return data


def load_yaml(text: str, *, path: str | Path | None = None, line_offset: int = 0) -> YamlData:
    """Parse one YAML document safely.

    ``line_offset`` is added to every line, for YAML embedded in a larger file (front matter).
    Raises :class:`InputError` at the exact line and column of a syntax error.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return _build(loader, node, path, line_offset)
    except yaml.YAMLError as exc:
        raise _error(exc, path, line_offset) from None
    except RecursionError:
        raise InputError(
            "YAML nests too deeply", path=path, line=1 + line_offset, hint="flatten the document"
        ) from None
    finally:
        loader.dispose()


def load_yaml_all(text: str, *, path: str | Path | None = None) -> Iterator[YamlData]:
    """Parse every document of a multi-document YAML stream safely."""
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            yield _build(loader, node, path, 0)
    except yaml.YAMLError as exc:
        raise _error(exc, path, 0) from None
    finally:
        loader.dispose()


_SPEC_ONLY_BOOLS = frozenset({"y", "Y", "n", "N"})


def plain_reads_as_string(text: str) -> bool:
    """Whether ``text`` written unquoted reads back as that string with the safe loader.

    YAML 1.1 (which the document parser reads) takes ``yes``, ``off``, ``1:30``, ``010``,
    ``2026-11-26`` or ``~`` for a bool, a number, a date or null; such strings must be quoted.
    ruamel.yaml writes YAML 1.2 and would leave them plain. ``y`` and ``n`` count as bools too:
    PyYAML reads them as strings, but the YAML 1.1 spec (and Go's yaml.v2) does not.
    """
    if text in _SPEC_ONLY_BOOLS:
        return False
    resolver: Any = yaml.resolver.Resolver()
    return bool(resolver.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str")


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent sequences inside mappings, as people write them by hand.
        super().increase_indent(flow, False)


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(value: Any, *, sort_keys: bool = False) -> str:
    """Dump ``value`` as block-style YAML, deterministic for equal input."""
    return yaml.dump(
        value, Dumper=_Dumper, sort_keys=sort_keys, allow_unicode=True, default_flow_style=False
    )

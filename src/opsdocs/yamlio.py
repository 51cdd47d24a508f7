"""Safe YAML loading that remembers where every key came from, and the one YAML writer.

Only the safe loader is used (``CSafeLoader`` when libyaml is there): no Python tags. Aliases are
allowed, but a document whose aliases would add more than :data:`MAX_EXPANDED_NODES` nodes once
expanded (the "billion laughs" attack) is refused before it is built; a document without aliases
is never refused for its size. Duplicate mapping keys are recorded
rather than silently collapsed, so a checker can report them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from opsdocs.errors import InputError

__all__ = [
    "MAX_EXPANDED_NODES",
    "KeyPath",
    "YamlData",
    "dump_yaml",
    "float_text",
    "key_path_of",
    "load_yaml",
    "load_yaml_all",
    "plain_reads_as_string",
    "quote_string",
]

KeyPath = tuple[str | int, ...]

#: Most nodes a document's aliases may add once they are followed (each alias is a copy of the
#: nodes below its anchor).
MAX_EXPANDED_NODES = 100_000

_Base: type[yaml.SafeLoader]
try:
    _Base = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, except that a scalar which looks like a date, a time or an integer but
    is not one (``2026-02-30``, ``25:99:99``, more digits than Python converts) stays the string
    it is written as: the schema then reports it at its key, instead of the whole file failing
    to load and every command that reads it failing with it."""


def _lenient(construct: Any) -> Any:
    def build(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    return build


for _tag, _construct in (
    ("tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_timestamp),
    ("tag:yaml.org,2002:int", yaml.constructor.SafeConstructor.construct_yaml_int),
    ("tag:yaml.org,2002:float", yaml.constructor.SafeConstructor.construct_yaml_float),
):
    _Loader.add_constructor(_tag, _lenient(_construct))


def key_path_of(data: Any, loc: Sequence[Any]) -> KeyPath:
    """A validation error's location (pydantic's ``loc``) as a key path into ``data``.

    Parts that are not keys of the data (a discriminated union's tag such as ``ratio``) are
    dropped; a missing or unknown last key is kept, and :meth:`YamlData.position` places it at
    its parent.
    """
    out: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            out.append(part)
        elif index == len(loc) - 1 and isinstance(node, dict):
            out.append(part)
    return tuple(out)


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


def _alias_growth(node: yaml.Node) -> int:
    """How many nodes the aliases below ``node`` add once expanded: the size of the expanded
    tree less the nodes written (0 without aliases, however large the document)."""
    memo: dict[int, int] = {}
    return _expanded_size(node, memo) - len(memo)


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


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
#: key tags the safe constructor rewrites (merge keys ``<<`` and the ``=`` value key)
_SPECIAL_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _value(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    prefix: KeyPath,
    data: YamlData,
    offset: int,
    seen: set[int],
) -> Any:
    """The value of ``node`` as the safe loader constructs it, recording the position of every
    key and item below it in ``data`` on the way (one walk for both).

    Plain mappings, sequences and strings are built here; any other node (a number, a date, a
    merge key, a tag) is built by the loader itself. Every node built is remembered in the
    loader's ``constructed_objects``, so an alias is the object its anchor built, wherever it
    is built; ``seen`` holds the nodes whose positions were recorded: below an alias they were
    recorded where it was defined.
    """
    built = loader.constructed_objects
    if node in built:
        return built[node]
    if id(node) in seen:  # walked below a merge key: its positions are known
        data = YamlData(value=None)
    seen.add(id(node))
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            built[node] = node.value
            return node.value
        return loader.construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        items: list[Any] = []
        built[node] = items
        for index, item in enumerate(node.value):
            path = (*prefix, index)
            data.positions[path] = (item.start_mark.line + 1 + offset, item.start_mark.column + 1)
            items.append(_value(loader, item, path, data, offset, seen))
        return items
    plain = isinstance(node, yaml.MappingNode) and tag == _MAP
    if not plain or any(
        not isinstance(k, yaml.ScalarNode) or k.tag in _SPECIAL_KEYS for k, _ in node.value
    ):
        seen.discard(id(node))
        _positions(node, prefix, data, offset, seen)
        return loader.construct_object(node, deep=True)
    mapping: dict[Any, Any] = {}
    built[node] = mapping
    keys: set[Any] = set()
    for key_node, value_node in node.value:
        text = key_node.value
        path = (*prefix, text)
        _key_position(data, keys, path, key_node, offset)
        key = text if key_node.tag == _STR else loader.construct_object(key_node)
        mapping[key] = _value(loader, value_node, path, data, offset, seen)
    return mapping


def _key_position(
    data: YamlData, keys: set[Any], path: KeyPath, key_node: yaml.Node, offset: int
) -> None:
    """Record where the key at ``path`` stands, or that it repeats a key of ``keys`` (its
    mapping's keys so far): the first stays its position, the later value wins, and the
    positions below it."""
    pos = (key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
    if path[-1] in keys:
        data.duplicates.append((path, *pos))
    else:
        keys.add(path[-1])
        data.positions[path] = pos


def _positions(
    node: yaml.Node, prefix: KeyPath, data: YamlData, offset: int, seen: set[int]
) -> None:
    """Record the positions below a node the loader builds itself (see :func:`_value`), except
    below an alias: its positions were recorded where it was defined."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            key: str | int = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            path = (*prefix, key)
            _key_position(data, keys, path, key_node, offset)
            _positions(value_node, path, data, offset, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, index)
            data.positions[path] = (item.start_mark.line + 1 + offset, item.start_mark.column + 1)
            _positions(item, path, data, offset, seen)


def _build(loader: yaml.SafeLoader, node: yaml.Node | None, path: Any, offset: int) -> YamlData:
    if node is None:
        return YamlData(value=None)
    if _alias_growth(node) > MAX_EXPANDED_NODES:
        raise InputError(
            "YAML aliases expand to too many nodes",
            path=path,
            line=node.start_mark.line + 1 + offset,
            col=node.start_mark.column + 1,
            hint=f"aliases may add at most {MAX_EXPANDED_NODES} nodes once expanded: use fewer",
        )
    data = YamlData(value=None)
    data.positions[()] = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    try:
        data.value = _value(loader, node, (), data, offset, set())
        while loader.state_generators:  # what the loader left to finish (as it does itself)
            generators, loader.state_generators = loader.state_generators, []
            for generator in generators:
                for _ in generator:
                    pass
    finally:
        loader.constructed_objects = {}
        loader.recursive_objects = {}
        loader.deep_construct = False
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


# Strings that some reader takes for something else although PyYAML reads them as strings: the
# YAML 1.1 spec's one-letter bools (Go's yaml.v2 follows the spec), and numbers of YAML 1.2 (Go's
# yaml.v3 and ruamel.yaml): 1e3, 0o17, .inf.
_SPEC_ONLY_BOOLS = frozenset({"y", "Y", "n", "N"})
_YAML12_NUMBER = re.compile(
    r"[-+]?(\.?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|0[oxb][0-9a-fA-F_]+"
    r"|\.(inf|Inf|INF|nan|NaN|NAN))"
)


@lru_cache(maxsize=1)
def _resolved_first_chars() -> frozenset[str]:
    """First characters for which the safe loader has an implicit resolver."""
    resolvers: dict[str | None, Any] = yaml.SafeLoader.yaml_implicit_resolvers
    return frozenset(key for key in resolvers if key)


@lru_cache(maxsize=8192)
def plain_reads_as_string(text: str) -> bool:
    """Whether ``text`` written unquoted reads back as that string under YAML 1.1 (PyYAML, the
    document parser), YAML 1.2 (ruamel.yaml) and Go's readers (Prometheus, promtool).

    YAML 1.1 takes ``yes``, ``off``, ``1:30``, ``010``, ``2026-11-26`` or ``~`` for a bool, a
    number, a date or null; YAML 1.2 takes ``1e3`` and ``0o17`` for numbers; the YAML 1.1 spec
    (and Go's yaml.v2) takes ``y`` and ``n`` for bools. Such strings must be quoted. This is the
    one quoting predicate: quoting more than needed is always safe, quoting less never is.
    """
    if not text or text in _SPEC_ONLY_BOOLS or _YAML12_NUMBER.fullmatch(text):
        return False
    if text[0] not in _resolved_first_chars():
        return True  # no implicit resolver starts with this character: a string
    resolve: Any = yaml.SafeLoader.resolve
    return bool(
        resolve(yaml.SafeLoader, yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"
    )


# --- the block-YAML writer ----------------------------------------------------------------------
#
# One writer for every YAML file opsdocs generates (rule files, promtool tests, OpenSLO, front
# matter): block style, keys in the order given, multi-line strings as ``|-`` literal blocks,
# other strings plain when that is safe for every reader (see plain_reads_as_string), else
# single-quoted, else double-quoted with escapes. The output of equal input is equal text.

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
# Characters a plain scalar may hold without any reader taking them for syntax.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:/()#?=&%~+-]*")
_NOT_YAML_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    "\U00010000-\U0010ffff]"
)
# What a literal block cannot hold as it is: control characters, YAML's other line breaks
# (NEL, LS, PS), a byte-order mark, and blanks at the end of a line.
_UNSAFE_BLOCK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]|[ \t]$", re.M)


def _plain_ok(text: str) -> bool:
    return (
        bool(_PLAIN_VALUE.fullmatch(text))
        and not text.endswith(":")
        and (plain_reads_as_string(text))
    )


def _double_quoted(text: str) -> str:
    """A double-quoted scalar: JSON escapes, plus escapes for what YAML cannot hold raw."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


@lru_cache(maxsize=1 << 16)
def quote_string(text: str) -> str:
    """``text`` as a YAML scalar that every reader reads back as exactly ``text``."""
    if _plain_ok(text):
        return text
    if text.isprintable() and text == text.strip():
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _block_safe(text: str) -> bool:
    """Whether a ``|-`` literal block reads back as exactly ``text``."""
    if "\n" not in text or text.endswith(("\n", " ", "\t")) or text[:1] in (" ", "\t", "\n"):
        return False
    if " \n" in text or "\t\n" in text:
        return False  # blanks at the end of a line
    if text.isascii():
        # printable ASCII but the line breaks needs no search (a tab is the rare exception)
        return text.replace("\n", "").isprintable() or _ASCII_CONTROL.search(text) is None
    return not _UNSAFE_BLOCK.search(text) and not _NOT_YAML_PRINTABLE.search(text.replace("\n", ""))


def float_text(value: float) -> str:
    """``value`` as a YAML float that YAML 1.1 reads back as a float (``.inf``, ``1.0e-05``)."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:  # YAML 1.1 reads a float only with a dot: 1e-05 → 1.0e-05
        text = f"{mantissa}.0e{exponent}"
    return text


def _format_float(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return float_text(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return quote_string(str(value))


@lru_cache(maxsize=4096)
def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) and plain_reads_as_string(key) else _double_quoted(key)


def _block(text: str, pad: str) -> list[str]:
    if "\n\n" in text:  # empty lines stay empty
        return [f"{pad}{line}" if line else "" for line in text.split("\n")]
    return [pad + text.replace("\n", "\n" + pad)]


def _is_container(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        return False
    return kind is dict or kind is list or isinstance(value, Mapping | list | tuple)


def _inline(value: Any) -> str:
    """A value written on its key's (or dash's) line: a scalar, ``{}`` or ``[]``."""
    if type(value) is str:
        return quote_string(value)
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list | tuple):
        return "[]"
    return _scalar(value)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    # Strings come first in every test: they are most of what is written (rule files are
    # tens of thousands of them), and a type check is cheaper than an isinstance of an ABC.
    if isinstance(value, Mapping):
        _emit_items(value.items(), indent, out)
        return
    pad = " " * indent
    append = out.append
    for item in value:
        if type(item) is str:
            _emit_string(f"{pad}-", item, pad, out)
        elif item and _is_container(item):
            if isinstance(item, Mapping):
                # the mapping's first line carries the dash
                _emit_items(item.items(), indent + 2, out, f"{pad}- ")
                continue
            sub: list[str] = []
            _emit(item, indent + 2, sub)
            sub[0] = f"{pad}- " + sub[0][indent + 2 :]
            out.extend(sub)
        else:
            append(f"{pad}- {_inline(item)}")


def _emit_string(head: str, text: str, pad: str, out: list[str]) -> None:
    """``head`` (``-`` or ``key:``) and ``text``: a literal block below it when the text is
    multi-line and a block keeps it exactly, else a scalar on the same line."""
    if "\n" in text and _block_safe(text):
        out.append(f"{head} |-")
        out.extend(_block(text, pad + "  "))
    else:
        out.append(f"{head} {quote_string(text)}")


def _emit_items(
    items: Iterable[tuple[Any, Any]], indent: int, out: list[str], first: str | None = None
) -> None:
    """Write ``key: value`` lines at ``indent``; the first line starts with ``first`` (a list
    item's dash) instead of the indentation when given."""
    pad = " " * indent
    lead = pad if first is None else first
    append = out.append
    for key, item in items:
        # each line is built in one piece: most are 'key: scalar'
        name = _key(key if type(key) is str else str(key))
        if type(item) is str:
            _emit_string(f"{lead}{name}:", item, pad, out)
        elif item and _is_container(item):
            append(f"{lead}{name}:")
            _emit(item, indent + 2, out)
        else:
            append(f"{lead}{name}: {_inline(item)}")
        lead = pad


def dump_yaml(value: Any, *, sort_keys: bool = False) -> str:
    """``value`` as block-style YAML that YAML 1.1, YAML 1.2 and Go's readers read back as it
    is; deterministic for equal input (keys in the order given unless ``sort_keys``)."""
    if sort_keys:
        value = _sorted(value)
    if value and _is_container(value):
        out: list[str] = []
        _emit(value, 0, out)
        return "\n".join(out) + "\n"
    if isinstance(value, str) and _block_safe(value):
        return "|-\n" + "\n".join(_block(value, "  ")) + "\n"
    return _inline(value) + "\n"


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _sorted(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_sorted(v) for v in value]
    return value

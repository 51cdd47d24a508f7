"""Round-trip editing of a document's YAML front matter.

:func:`edit_front_matter` is the one place where opsdocs changes front matter that people also
edit by hand (incident records, postmortems, SLO documents). It is given the whole front matter
as it should be afterwards and changes only what differs:

- a top-level key whose value is unchanged keeps its lines byte for byte (comments, quoting,
  blank lines, flow style); a changed key is written again by ruamel.yaml, which keeps the
  comments and key order inside it;
- keys stay in the order the file has them; a new key goes after the key that precedes it in the
  given mapping; a key left out of the mapping is removed;
- the Markdown body after the closing ``---`` is not touched.

New values are written so that the document parser (PyYAML, YAML 1.1) reads them back as given:
strings such as ``yes``, ``off``, ``1:30``, ``010`` or ``2026-11-26`` are quoted, floats always
have a dot (``1.0e-05``, which YAML 1.1 would otherwise read as a string), ``None`` is ``null``.
Dates and times are written as strings (times as UTC ``2026-11-26T14:02:00Z``) and compare equal
to the date or time they name, so a time written unquoted by hand stays as it was.

The result is parsed again with the safe loader and compared with what was asked for; any
difference raises :class:`~opsdocs.errors.DocumentError` before anything can be written.
Front matter using duplicate keys or merge keys (``<<``) cannot be matched key by key: it is
written whole from the given mapping (comments in it are lost then, as the check must still pass).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from opsdocs.errors import DocumentError, InputError
from opsdocs.yamlio import float_text, load_yaml, plain_reads_as_string

__all__ = ["edit_front_matter", "split_front_matter"]


class _Unmatched(Exception):
    """The file's structure cannot be matched key by key with what the safe loader read."""


def split_front_matter(text: str, *, path: str | Path | None = None) -> tuple[list[str], int]:
    """``text`` split into lines, and the index of the line closing the front matter.

    Raises :class:`DocumentError` when the text has no front matter block.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise DocumentError(
            "document has no front matter to edit",
            path=path,
            line=1,
            hint="start the file with a '---' front matter block",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return lines, index
    raise DocumentError(
        "front matter is never closed",
        path=path,
        line=1,
        hint="end the front matter with a line holding only '---'",
    )


def edit_front_matter(
    text: str, values: Mapping[Any, Any], *, path: str | Path | None = None
) -> str:
    """``text`` with its front matter changed to ``values``; see the module docstring.

    ``text`` is a whole document (``---``, YAML, ``---``, body) with ``\\n`` line ends, as
    :attr:`Document.text` has it. Returns ``text`` itself when nothing differs. Raises
    :class:`InputError` for front matter that is not valid YAML or not a mapping, and
    :class:`DocumentError` when the edited front matter would not read back as ``values``.
    """
    lines, closing = split_front_matter(text, path=path)
    source = "\n".join(lines[1:closing])
    current = load_yaml(source, path=path, line_offset=1).value
    if current is None:
        current = {}
    if not isinstance(current, dict):
        raise DocumentError(
            f"front matter is a {type(current).__name__}, not a mapping of keys",
            path=path,
            line=2,
            hint="write 'key: value' lines between the '---' lines",
        )
    if _canon(current) == _canon(values):
        return text
    front = _edited(source, current, values)
    _verify(front, values, path)
    return "\n".join([lines[0], *front.split("\n"), *lines[closing:]])


def _edited(source: str, current: dict[Any, Any], values: Mapping[Any, Any]) -> str:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = _yaml(source)
    try:
        tree = yaml.load(source + "\n")
        if tree is None:
            tree = CommentedMap()
        if not isinstance(tree, CommentedMap):
            raise _Unmatched("not a mapping")
        before = _key_lines(tree)
        changed = _merge_map(tree, current, values)
    except (_Unmatched, YAMLError):
        # Duplicate or merge keys: what ruamel holds is not what the safe loader read.
        return _dump(_yaml(source), _fresh(values))
    dumped = _dump(yaml, tree)
    return _splice(source, before, dumped, tree, changed) or dumped


def _verify(front: str, values: Mapping[Any, Any], path: str | Path | None) -> None:
    """Refuse an edit that does not read back (safe loader, YAML 1.1) as ``values``."""
    try:
        got = load_yaml(front, path=path, line_offset=1).value
    except InputError as exc:
        got = exc
    if isinstance(got, InputError) or _canon(got or {}) != _canon(values):
        where = _first_difference(got, values) if not isinstance(got, InputError) else str(got)
        raise DocumentError(
            f"the edited front matter would not read back as intended ({where})",
            path=path,
            line=2,
            hint="nothing was written; make that change by hand",
        )


def _first_difference(got: Any, want: Any, where: str = "") -> str:
    if isinstance(got, dict) and isinstance(want, Mapping):
        for key in {*map(_canon, got), *map(_canon, want)}:
            g = next((v for k, v in got.items() if _canon(k) == key), None)
            w = next((v for k, v in want.items() if _canon(k) == key), None)
            if _canon(g) != _canon(w):
                return _first_difference(g, w, f"{where}.{key[1]}" if where else str(key[1]))
    return f"{where or 'front matter'}: {got!r} instead of {want!r}"


# --- comparing what the safe loader reads -------------------------------------------------


def _time_text(when: dt.datetime) -> str:
    if when.tzinfo is None:
        return when.isoformat()
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canon(value: Any) -> Any:
    """A hashable form of a YAML value in which equal meanings are equal.

    Numbers compare by value (``99`` is ``99.0``) but never equal a bool; dates and times equal
    the strings they are written as; mappings compare without regard to key order.
    """
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("nan",) if isinstance(value, float) and math.isnan(value) else ("num", value)
    if isinstance(value, dt.datetime):
        return ("str", _time_text(value))
    if isinstance(value, dt.date):
        return ("str", value.isoformat())
    if isinstance(value, str):
        return ("str", str(value))
    if isinstance(value, Mapping):
        return ("map", frozenset((_canon(k), _canon(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_canon(v) for v in value))
    return ("other", type(value).__name__, repr(value))


# --- merging into the round-trip tree -------------------------------------------------------


def _merge(node: Any, seen: Any, want: Any) -> tuple[Any, bool]:
    """What to put where ``node`` is (``seen`` is how the safe loader read it), and whether
    that differs from before."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if _canon(seen) == _canon(want):
        return node, False
    if not want and isinstance(want, Mapping | list | tuple):
        return _fresh(want), True  # emptied in place, ruamel would leave a stray "{}" line
    if isinstance(node, CommentedMap) and isinstance(seen, dict) and isinstance(want, Mapping):
        _merge_map(node, seen, want)
        return node, True
    if isinstance(node, CommentedSeq) and isinstance(seen, list) and isinstance(want, list | tuple):
        _merge_seq(node, seen, want)
        return node, True
    return _fresh(want), True


def _merge_map(node: Any, seen: dict[Any, Any], want: Mapping[Any, Any]) -> set[Any]:
    """Change the mapping ``node`` in place to ``want``; returns the keys written anew."""
    keys = list(node.keys())
    if len(keys) != len(seen) or getattr(node, "merge", None):
        raise _Unmatched("duplicate or merge keys")
    by_key = {_canon(s): (s, k) for s, k in zip(seen, keys, strict=True)}
    wanted = {_canon(k) for k in want}
    for seen_key, key in zip(seen, keys, strict=True):
        if _canon(seen_key) not in wanted:
            del node[key]
    changed: set[Any] = set()
    previous: Any = None
    for want_key, value in want.items():
        found = by_key.get(_canon(want_key))
        if found is None:
            key = _fresh(want_key)
            position = list(node.keys()).index(previous) + 1 if previous is not None else 0
            node.insert(position, key, _fresh(value))
            changed.add(key)
        else:
            seen_key, key = found
            new, differs = _merge(node[key], seen[seen_key], value)
            if differs:
                if new is not node[key]:
                    _replace(node, key, new)
                changed.add(key)
        previous = key
    return changed


def _replace(node: Any, key: Any, new: Any) -> None:
    """Put a fresh value at ``key``, dropping comments that stood inside the old block value
    (ruamel would print them before the new value and lose the line break after the next key)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    slot = node.ca.items.get(key)
    if isinstance(node[key], CommentedMap | CommentedSeq) and slot and len(slot) > 3:
        slot[3] = None
    node[key] = new


def _merge_seq(node: Any, seen: list[Any], want: Sequence[Any]) -> None:
    if len(node) != len(seen):
        raise _Unmatched("sequence lengths differ")
    for index, value in enumerate(want):
        if index < len(node):
            new, differs = _merge(node[index], seen[index], value)
            if differs and new is not node[index]:
                _replace(node, index, new)
        else:
            node.append(_fresh(value))
    while len(node) > len(want):
        del node[-1]


_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _fresh(value: Any) -> Any:
    """``value`` as round-trip data that YAML 1.1 reads back the same."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

    if isinstance(value, dt.datetime):
        value = _time_text(value)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str):
        value = str(value)
        if "\n" in value:
            lines = value.split("\n")
            plain = all(not line or (line == line.rstrip()) for line in lines)
            if plain and lines[0][:1] not in (" ", "") and _literal_safe(value):
                return LiteralScalarString(value)
            return DoubleQuotedScalarString(value)
        if _SPECIAL.search(value):  # line breaks YAML folds, control characters: escape them
            return DoubleQuotedScalarString(value)
        # In a flow list ('services: [api]') PyYAML reads a leading '?' or ':' as an indicator
        # even without a space after it, where ruamel.yaml writes it plain.
        if value.startswith(("?", ":")) or not plain_reads_as_string(value):
            return SingleQuotedScalarString(value)
        return value
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[_fresh(key)] = _fresh(item)
        return out
    if isinstance(value, list | tuple):
        return CommentedSeq(_fresh(item) for item in value)
    return value


def _literal_safe(value: str) -> bool:
    """Whether a ``|-`` block reads back as exactly ``value``: no control characters, and no
    final line break (the front matter's last line has none for a ``|`` block to keep)."""
    return not value.endswith("\n") and not _SPECIAL.search(value.replace("\n", ""))


# --- dumping and splicing -------------------------------------------------------------------


def _yaml(source: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        pass

    def represent_float(rep: Any, value: float) -> Any:
        return rep.represent_scalar("tag:yaml.org,2002:float", float_text(value))

    def represent_none(rep: Any, value: None) -> Any:
        return rep.represent_scalar("tag:yaml.org,2002:null", "null")

    Representer.add_representer(float, represent_float)
    Representer.add_representer(type(None), represent_none)
    yaml = YAML(typ="rt")
    yaml.Representer = Representer
    mapping, sequence, offset = _guess_indent(source)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.width = 4096  # never fold a long line (a PromQL query, a title)
    yaml.preserve_quotes = True
    return yaml


def _guess_indent(source: str) -> tuple[int, int, int]:
    """Indentation (mapping, sequence, dash offset) the file already uses; 2, 4, 2 without."""
    mapping, sequence, offset = 2, 4, 2
    lines = source.split("\n")
    seen_map = seen_seq = False
    for above, line in itertools.pairwise(lines):
        if above.startswith((" ", "#", "-")) or not above.rstrip().endswith(":"):
            continue
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("- ") and not seen_seq:
            body = stripped[2:]
            offset, sequence = indent, indent + 2 + len(body) - len(body.lstrip(" "))
            seen_seq = True
        elif not stripped.startswith("-") and indent and not seen_map:
            mapping, seen_map = indent, True
    return mapping, max(sequence, offset + 2), offset


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().rstrip("\n")


def _key_lines(tree: Any) -> list[tuple[Any, int]] | None:
    """(key, 0-based line) of each top-level key, or None when keys are not one per line at
    column 0 in order (flow style, complex keys): then nothing is spliced."""
    if getattr(tree.fa, "flow_style", lambda: False)():
        return None
    found: list[tuple[Any, int]] = []
    for key in tree:
        try:
            line, col = tree.lc.key(key)
        except (KeyError, TypeError):
            return None
        if col != 0 or (found and line <= found[-1][1]):
            return None
        found.append((key, line))
    return found


def _segments(text: str, keys: list[tuple[Any, int]]) -> tuple[list[str], dict[Any, list[str]]]:
    """The lines before the first key, and each key's lines (up to the next key)."""
    lines = text.split("\n") if text.strip() else []
    if not keys:
        return lines, {}
    ends = [line for _, line in keys[1:]] + [len(lines)]
    parts = {key: lines[start:end] for (key, start), end in zip(keys, ends, strict=True)}
    return lines[: keys[0][1]], parts


def _splice(
    source: str,
    before: list[tuple[Any, int]] | None,
    dumped: str,
    tree: Any,
    changed: set[Any],
) -> str | None:
    """The original lines of every unchanged top-level key, the dumped lines of the others;
    None when either text cannot be cut into one block per key."""
    from ruamel.yaml import YAML

    if before is None:
        return None
    after_tree = YAML(typ="rt").load(dumped + "\n") if dumped.strip() else None
    after = _key_lines(after_tree) if after_tree is not None else []
    if after is None or [k for k, _ in after] != list(tree):
        return None
    prefix, old = _segments(source, before)
    _, new = _segments(dumped, after)
    out = list(prefix)
    for key in tree:
        out.extend(new[key] if key in changed or key not in old else old[key])
    return "\n".join(out)

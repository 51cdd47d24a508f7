"""The JSON form of result records, declared as data.

A record a command reports (a finding, a status, a report line) declares its JSON keys in order
with :func:`json_form`: each key reads the attribute (or property) of its name or of another name,
and may convert the value on the way (a time to its ISO text, a Decimal to its exact text, nested
records to their dicts, a tuple to a list). :func:`json_dict` builds the dict from that form,
shallowly: values are read and converted, never deep-copied (``dataclasses.asdict`` copies every
nested list and dict, which a check reporting thousands of findings pays for). A record whose JSON
form is that and nothing more says so in one declaration: ``as_dict = json_method(...)``.

This module imports nothing of opsdocs, so every layer can use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any, TypeAlias

__all__ = ["JsonForm", "KeySpec", "dicts", "json_dict", "json_form", "json_method", "text_or_none"]

Convert: TypeAlias = Callable[[Any], Any]
#: A key: the attribute's name, or ``(key, attribute)``, ``(key, convert)`` or
#: ``(key, attribute, convert)``.
KeySpec: TypeAlias = str | tuple[str, str] | tuple[str, Convert] | tuple[str, str, Convert]
#: The keys in order, each with what reads its value from a record.
JsonForm: TypeAlias = tuple[tuple[str, Convert], ...]


def json_form(*keys: KeySpec) -> JsonForm:
    """A record's JSON shape, in key order. A key given as a name reads the attribute of that
    name; ``(key, attribute)`` reads another attribute, ``(key, convert)`` converts the value of
    the key's attribute, ``(key, attribute, convert)`` does both."""
    form: list[tuple[str, Convert]] = []
    for spec in keys:
        if isinstance(spec, str):
            form.append((spec, attrgetter(spec)))
        elif len(spec) == 3:
            form.append((spec[0], _converted(attrgetter(spec[1]), spec[2])))
        elif isinstance(spec[1], str):
            form.append((spec[0], attrgetter(spec[1])))
        else:
            form.append((spec[0], _converted(attrgetter(spec[0]), spec[1])))
    return tuple(form)


def _converted(get: Convert, convert: Convert) -> Convert:
    return lambda record: convert(get(record))


def json_dict(record: object, form: JsonForm) -> dict[str, Any]:
    """``record``'s JSON form: each key of ``form`` with its value, in the form's order."""
    return {key: get(record) for key, get in form}


def json_method(*keys: KeySpec) -> Callable[[Any], dict[str, Any]]:
    """A record's JSON method from its keys (as for :func:`json_form`), for a record whose JSON
    form is its keys and nothing else: ``as_dict = json_method(...)`` in the class body."""
    form = json_form(*keys)

    def as_dict(record: Any) -> dict[str, Any]:
        return json_dict(record, form)

    return as_dict


def text_or_none(value: object) -> str | None:
    """A value as its text (a Decimal exactly as it is held); None stays None."""
    return None if value is None else str(value)


def dicts(records: Iterable[Any]) -> list[dict[str, Any]]:
    """Nested records, each as its JSON form (its ``as_dict()``)."""
    return [record.as_dict() for record in records]

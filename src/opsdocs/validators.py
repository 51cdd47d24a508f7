"""What the features' front-matter and settings models share: the :class:`Strict` base of a
spec's parts (:class:`Frozen` where text is kept as written), and validators written once, used
as pydantic annotated types (``Duration``, ``EnvName``) or wrapped in an ``AfterValidator``
(:func:`unique_names`), and the one spelling of a name (``NAME``: ``team-api``). The spec and
settings modules import it (they import pydantic anyway), and the document kinds, whose readers
validate front matter with it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from opsdocs.diagnostics import Diagnostic
from opsdocs.durations import checked, duration_seconds

__all__ = [
    "ENV_NAME",
    "NAME",
    "NAME_PATTERN",
    "Duration",
    "EnvName",
    "Frozen",
    "Strict",
    "unique_names",
    "validate_spec",
]

Model = TypeVar("Model", bound=BaseModel)


class Strict(BaseModel):
    """A part of a spec: a misspelt key fails instead of being dropped, the parsed value cannot
    change, and text is read without surrounding white space."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Frozen(BaseModel):
    """Like :class:`Strict`, but text is kept as written (surrounding white space included)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: A duration setting (``15m``, ``1h30m``, ``14d``), kept as written; the parser's ValueError
#: ("must be a duration such as ...") is the message.
Duration = Annotated[str, AfterValidator(checked(duration_seconds))]

#: A name (a team, a service, a resource, the name part of a file name): lowercase letters and
#: digits, words joined by single hyphens (``team-api``); unanchored, to build patterns from.
NAME_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
#: A whole value that is a name (``Field(pattern=NAME)``, ``re.fullmatch``).
NAME = rf"^{NAME_PATTERN}$"

#: The name of an environment variable (``RESTIC_PASSWORD``, ``PROM_TOKEN``).
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=ENV_NAME)]


class _Named(Protocol):
    @property
    def name(self) -> str: ...


NamedList = TypeVar("NamedList", bound=Sequence[_Named])


def unique_names(message: str) -> Callable[[NamedList], NamedList]:
    """A validator of a list of named items: ValueError ``message`` (``{!r}`` stands for the
    name) at the first name given twice; the list unchanged otherwise."""

    def check(items: NamedList) -> NamedList:
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                raise ValueError(message.format(item.name))
            seen.add(item.name)
        return items

    return check


def validate_spec(
    model: type[Model], data: dict[str, Any], explain: Callable[[Any], tuple[str, str | None]]
) -> tuple[Model | None, list[Diagnostic]]:
    """``data`` (a document's front matter) validated as ``model``: the model and no problems, or
    None and a problem per pydantic error, at its key path, in the words ``explain`` gives it
    (message, hint). A discriminated union's missing or unknown tag stands at its ``type`` key."""
    from opsdocs.yamlio import key_path_of

    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message, hint = explain(error)
            key_path = key_path_of(data, error["loc"])
            if str(error["type"]).startswith("union_tag"):
                key_path = (*key_path, "type")
            problems.append(Diagnostic(message=message, hint=hint, key_path=key_path))
        return None, problems

"""A feature's spec read from a document's front matter: its pydantic model, errors at the key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel

    from opsdocs.documents.parse import Document

__all__ = ["SpecDocument", "read_spec_document"]

M = TypeVar("M", bound="BaseModel")


@dataclass(frozen=True)
class SpecDocument(Generic[M]):
    """A document's path, its parsed text and its front matter validated as a feature's spec."""

    path: Path
    doc: Document
    spec: M


def read_spec_document(doc: Document, model: type[M], *, hint: str) -> SpecDocument[M]:
    """``doc`` with its front matter validated as ``model``.

    The first pydantic error becomes a :class:`DocumentError` at the offending key's line
    (``resources.0.limit: ...``); a document whose front matter does not parse raises its first
    parse problem (:meth:`Document.require_front_matter`).
    """
    from pydantic import ValidationError

    from opsdocs.errors import DocumentError
    from opsdocs.yamlio import key_path_of

    data = doc.require_front_matter()
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        line, col = doc.position(key_path_of(data, first["loc"]))
        key = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise DocumentError(
            f"{key}: {message}" if key else message, path=doc.path, line=line, col=col, hint=hint
        ) from None
    return SpecDocument(doc.path, doc, spec)

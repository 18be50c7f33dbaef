"""Restricting retrieval to some documents, regions or years: one record that both search
stores read (in process as a mask, on Milvus as a filter expression)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from rag.errors import RagError
from rag.types import Document


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents (file names or prefixes), regions or years."""

    documents: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    @classmethod
    def coerce(cls, value: "Filters | Mapping[str, Any] | None") -> "Filters | None":
        if value is None or isinstance(value, Filters):
            return value
        if not isinstance(value, Mapping):
            raise RagError("filters must be a mapping with keys documents, regions, years")
        unknown = set(value) - {"documents", "regions", "years"}
        if unknown:
            raise RagError(f"unknown filter {sorted(unknown)}; valid keys: documents, regions, years")

        def seq(key: str) -> tuple:
            v = value.get(key) or ()
            return (v,) if isinstance(v, (str, int)) else tuple(v)

        try:
            years = tuple(int(y) for y in seq("years"))
        except ValueError as exc:
            raise RagError(f"years must be whole numbers: {value.get('years')!r}") from exc
        return cls(tuple(str(d) for d in seq("documents")), tuple(str(r) for r in seq("regions")), years)

    def allows(self, doc: Document) -> bool:
        if self.documents and not any(doc.name == d or doc.name.startswith(d) for d in self.documents):
            return False
        if self.regions and doc.meta.region not in self.regions:
            return False
        if self.years and not set(self.years) & set(doc.meta.years):
            return False
        return True

    def expression(self) -> str:
        """The same restriction as a Milvus boolean expression over the fields ``doc``,
        ``region`` and ``years`` ("" when nothing is restricted)."""
        parts = []
        if self.documents:
            names = " or ".join(f"doc == {_quote(d)} or doc like {_quote(_like_prefix(d))}" for d in self.documents)
            parts.append(f"({names})")
        if self.regions:
            parts.append(f"region in [{', '.join(_quote(r) for r in self.regions)}]")
        if self.years:
            parts.append(f"array_contains_any(years, [{', '.join(str(int(y)) for y in self.years)}])")
        return " and ".join(parts)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a double-quoted string with escapes, as Milvus reads it


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching names that start with ``prefix`` (its own % and _ escaped)."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

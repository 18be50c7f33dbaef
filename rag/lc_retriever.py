"""The hybrid retriever as a LangChain ``BaseRetriever``, over either store: the one place a
LangChain program meets the project's retrieval (``assistant.langchain_retriever()``)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.filters import Filters


class HybridRetriever(BaseRetriever):
    """Ranked paragraphs as LangChain documents: the paragraph's text as content; its
    document, title, section, paragraph number, page and fused score as metadata.

    ``invoke(question, k=…, filters={...})`` overrides the defaults per call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # rag.retrieval.Retriever (FAISS or Milvus store)
    k: int = 5
    filters: Any = None  # rag.filters.Filters, or a mapping with documents, regions, years

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, filters: Any = None) -> list[LCDocument]:
        retrieval = self.retriever.search(query, k or self.k, Filters.coerce(filters or self.filters))
        out = []
        for hit in retrieval.hits:
            p = hit.paragraph
            doc = self.retriever.documents[p.doc]
            out.append(LCDocument(page_content=p.text, metadata={
                "doc": p.doc, "title": doc.meta.label, "region": doc.meta.region or "", "section": p.section_path,
                "paragraph": p.number, "page": p.page, "score": hit.score, "store": self.retriever.store.name,
            }))
        return out

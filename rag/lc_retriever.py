"""The hybrid retriever as a LangChain ``BaseRetriever``, over either store: the chain's
retrieve stage and the one place a LangChain program meets the project's retrieval
(``assistant.langchain_retriever()``)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.filters import Filters


class RankedDocuments(list):
    """The ranked paragraphs as LangChain documents, with the project's ``Retrieval`` beside
    them: the scores (question vector, sentence cosines, lexical coverage) that the reader
    reuses and a LangChain document cannot carry."""

    def __init__(self, documents: list[LCDocument], retrieval: Any) -> None:
        super().__init__(documents)
        self.retrieval = retrieval


class HybridRetriever(BaseRetriever):
    """Ranked paragraphs as LangChain documents: the paragraph's text as content; its
    document, title, section, paragraph number, page and fused score as metadata.

    ``invoke(question, k=…, filters={...}, asked=profile)`` overrides the defaults per call;
    ``asked`` is the question's profile when the caller has read it already."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # rag.retrieval.Retriever (FAISS or Milvus store)
    k: int = 5
    filters: Any = None  # rag.filters.Filters, or a mapping with documents, regions, years

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, filters: Any = None, asked: Any = None) -> RankedDocuments:
        chosen = self.filters if filters is None else filters
        retrieval = self.retriever.search(query, k or self.k, Filters.coerce(chosen), asked)
        out = []
        for hit in retrieval.hits:
            p = hit.paragraph
            doc = self.retriever.documents[p.doc]
            out.append(LCDocument(page_content=p.text, metadata={
                "doc": p.doc, "title": doc.meta.label, "region": doc.meta.region or "", "section": p.section_path,
                "paragraph": p.number, "page": p.page, "score": hit.score, "store": self.retriever.store.name,
            }))
        return RankedDocuments(out, retrieval)

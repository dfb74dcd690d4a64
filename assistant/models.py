"""Domain records shared by every stage: documents, chunks, citations."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from assistant.domain.units import Unit

SUMMARY_KIND = "summary"
IN_FORCE = "现行有效"
CJK_PADDING = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")


@dataclass(frozen=True)
class SourceDocument:
    """One corpus document: its full text (the thing offsets point into) and its sidecar metadata."""

    doc_id: str
    title: str
    text: str
    path: str
    sha256: str
    doc_number: str = ""  # 文号
    issuer: str = ""
    date: str = ""
    # plan | national_rule | provincial_rule | notice | summary (我们自己写的要点摘要); the older
    # "official" (or nothing) means an official text whose kind the profile derives from its structure.
    kind: str = "official"
    source: str = ""
    short_title: str = ""
    region: str = ""
    status: str = ""  # 现行有效 | 已废止 | 被替代; "" = as the sidecar left it (the profile decides)
    superseded_by: str = ""
    valid_until: str = ""
    fictional: bool = False
    # Said with every citation of the document, e.g. "OCR 识别文本，请核对原件" for a scan.
    note: str = ""
    # Per OCR'd page: {"page": 1-based number, "confidence": 0–100, "indexed": False when left out}.
    ocr_pages: tuple = ()

    @property
    def verbatim(self) -> bool:
        return self.kind != SUMMARY_KIND

    @property
    def citation_title(self) -> str:
        """The title every citation of this document carries: with its note, so no citation of a scan
        can be shown without "OCR 识别文本，请核对原件"."""
        return f"{self.title}（{self.note}）" if self.note else self.title


@dataclass(frozen=True)
class Chunk:
    """A piece of a document that follows the document's own numbering; `text == doc.text[start:end]`."""

    chunk_id: str
    doc_id: str
    doc_title: str
    section_path: tuple[str, ...]
    label: str
    text: str
    start: int
    end: int
    kind: str = "clause"  # clause | unit_duty | roster_member | roster_note | indicator | header | preamble | annex_note
    unit: str = ""
    person: str = ""
    role: str = ""
    person_title: str = ""
    indicator: str = ""
    verbatim: bool = True

    def embedding_text(self) -> str:
        """Heading path + text: the heading gives a short clause its context without touching offsets.

        Padding inside Chinese words ("组  长", "王  进") is dropped so the index sees 组长 and 王进.
        """
        heading = " ".join(self.section_path)
        text = CJK_PADDING.sub("", self.text)
        return f"{heading}\n{text}" if heading else text

    def to_dict(self) -> dict:
        data = asdict(self)
        data["section_path"] = list(self.section_path)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        return cls(**{**data, "section_path": tuple(data["section_path"])})


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float


@dataclass(frozen=True)
class DocumentProfile:
    """What a document is, as data: derived from its structure, overridden by its sidecar.

    `sections` pairs a role (goal, tasks, safeguards, organisation, roster, duty_annex, preamble,
    header, annex_note, …) with the section path that plays it; `units` are the document's own
    member units (from its duty annex), so two counties' 财政局 never meet.
    """

    doc_id: str
    title: str
    short_title: str = ""
    doc_number: str = ""
    issuer: str = ""
    date: str = ""  # YYYY-MM-DD
    kind: str = "plan"  # plan | national_rule | provincial_rule | notice | summary
    region: str = ""  # 曲阜市, 全国, 山东省, …
    status: str = IN_FORCE  # 现行有效 | 已废止 | 被替代
    superseded_by: str = ""
    valid_until: str = ""  # YYYY-MM-DD
    target_year: str = ""  # e.g. "2025", from the goal section (力争2025年…)
    fictional: bool = False
    chunks: int = 0  # 段数
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    units: tuple[Unit, ...] = ()

    @property
    def in_force(self) -> bool:
        return self.status == IN_FORCE

    @property
    def name(self) -> str:
        """How answers name the document: its short title."""
        return self.short_title or self.title

    def paths(self, role: str) -> list[tuple[str, ...]]:
        return [path for r, path in self.sections if r == role]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["sections"] = [[role, list(path)] for role, path in self.sections]
        data["units"] = [{"order": u.order, "name": u.name, "aliases": list(u.aliases), "mentions": list(u.mentions)}
                         for u in self.units]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "DocumentProfile":
        sections = tuple((role, tuple(path)) for role, path in data.get("sections", ()))
        units = tuple(Unit(u["order"], u["name"], tuple(u["aliases"]), tuple(u["mentions"])) for u in data.get("units", ()))
        return cls(**{**data, "sections": sections, "units": units})


@dataclass(frozen=True)
class Citation:
    doc_id: str
    doc_title: str
    label: str
    section_path: list[str]
    quote: str
    start: int
    end: int
    verbatim: bool
    # The document the quote comes from, as sources show it: 《short title》文号, date, status.
    short_title: str = ""
    doc_number: str = ""
    date: str = ""
    status: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ToolCall:
    name: str
    input: dict
    output: dict

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    intent: str
    citations: list[Citation] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)
    elapsed_ms: float = 0.0
    notice: str = ""
    fallback: str = ""
    suggestions: list[str] = field(default_factory=list)  # follow-up questions drawn from the frame

    def to_dict(self) -> dict:
        data = {
            "question": self.question,
            "answer": self.answer,
            "intent": self.intent,
            "citations": [c.to_dict() for c in self.citations],
            "tool_calls": [t.to_dict() for t in self.tool_calls],
            "retrieved": self.retrieved,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
        if self.notice:
            data["notice"] = self.notice
        if self.fallback:
            data["fallback"] = self.fallback
        if self.suggestions:
            data["suggestions"] = self.suggestions
        return data

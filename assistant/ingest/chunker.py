"""Structure-aware chunking: chunks follow a document's own numbering, never a character window.

Recognised headings (each at the start of a line):
  一、 (level 1)   （一） (level 2)   1. / 1． (level 3)
  附件 (a line of its own: the annex starts; its sections are prefixed 附件)
  第X章 / 第X节 / 第X条 (legal-style rules)
Inside the annex, 工作专班成员名单 lines become one chunk per member and 工作职责 （一）… become
one chunk per unit. Every chunk satisfies `doc.text[chunk.start:chunk.end] == chunk.text`, and none is
longer than HARD_MAX_CHARS: text without headings is split at sentence ends, then line breaks, then
commas (a 2 MB file with no numbering must not become one chunk).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.domain.units import Unit, units_in
from assistant.ingest.doc_units import derive_units
from assistant.models import Chunk, SourceDocument

CHUNKER_VERSION = "7"
MAX_CHARS = 260  # clauses longer than this are split at sentence ends into pieces of about this size
HARD_MAX_CHARS = 600  # no chunk is longer (the plan's longest, a unit's whole duty list, is 365)
HEAD_MAX_CHARS = 2 * MAX_CHARS  # text before the first heading longer than this is body text, not a 文件头
PIECE_BREAKS = ("\n", "。", "；", "，", "、", ",", " ")  # where a piece without sentence ends is cut, best first

CN_NUM = "一二三四五六七八九十百零〇两"
LEVEL1 = re.compile(rf"^[{CN_NUM}]+、")
LEVEL2 = re.compile(rf"^（[{CN_NUM}]+）")
LEVEL3 = re.compile(r"^\d{1,2}[.．]")
ANNEX = re.compile(r"^附\s*件\s*\d*\s*$")
ANNEX_NOTE = re.compile(r"^附件[:：]")
CHAPTER = re.compile(rf"^第[{CN_NUM}\d]+章")
SECTION = re.compile(rf"^第[{CN_NUM}\d]+节")
ARTICLE = re.compile(rf"^第[{CN_NUM}\d]+条")
SENTENCE_END = re.compile(r"[。；！？]")
# Roster lines: "组  长：崔加清  市委副书记、市长" / "王  进  市委常委，副市长" / continuation "保障局局长".
# One space is enough between name and title: OCR reads the double spaces of a printed roster as one.
ROSTER_LINE = re.compile(r"^(?:(?P<role>组\s*长|副组长|成\s*员)[:：])?\s*(?P<name>\S\s{1,2}\S|\S{2,3})\s+(?P<title>\S.*?)\s*$")

ROSTER_LINE_MAX = 80  # a member line is a name and a title; anything longer is a note

ITEM_KINDS = ("l2", "l3")  # numbered lines that are items when they stand inside an article
# Heading kinds, and the depth each occupies in the section path.
DEPTH = {"annex": 0, "chapter": 1, "section": 2, "article": 3, "l1": 1, "l2": 2, "l3": 3, "annex_note": 1}


@dataclass
class _Line:
    start: int
    end: int  # end of the line's text, without the newline
    text: str


@dataclass
class _Node:
    kind: str
    heading: str  # heading text as written (first line, stripped)
    lines: list[_Line] = field(default_factory=list)
    path: tuple[str, ...] = ()
    numbering: tuple[str, ...] = ()  # e.g. ("二", "（二）", "1")
    in_annex: bool = False


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def heading_kind(line: str) -> str | None:
    s = line.strip()
    if not s:
        return None
    for kind, pattern in (
        ("annex", ANNEX), ("annex_note", ANNEX_NOTE), ("chapter", CHAPTER), ("section", SECTION),
        ("article", ARTICLE), ("l1", LEVEL1), ("l2", LEVEL2), ("l3", LEVEL3),
    ):
        if pattern.match(s):
            return kind
    return None


def _numbering_token(kind: str, heading: str) -> str:
    if kind == "l1":
        return heading.split("、", 1)[0]
    if kind == "l2":
        return heading[: heading.index("）") + 1]
    if kind == "l3":
        return re.match(r"\d+", heading).group(0)
    if kind in ("chapter", "section", "article"):
        return re.match(rf"第[{CN_NUM}\d]+[章节条]", heading).group(0)
    return "附件" if kind == "annex" else ""


def _short_heading(kind: str, heading: str) -> str:
    """Section-path element: the heading up to its first sentence end (level-3 and articles carry body text)."""
    if kind == "article":
        return _numbering_token(kind, heading)
    if kind in ("l3", "l2"):
        return re.split(r"[。：:]", heading, maxsplit=1)[0][:40]
    return heading[:40]


def _parse_nodes(text: str) -> list[_Node]:
    """Split the document into nodes: a heading line plus the body lines up to the next heading."""
    nodes: list[_Node] = [_Node("preamble", "")]
    stack: list[tuple[int, str, str]] = []  # (depth, path element, numbering token)
    in_annex = in_article = False
    for line in _lines(text):
        kind = heading_kind(line.text)
        if kind in ITEM_KINDS and in_article:
            kind = None  # （一）… and 1. inside 第X条 are the article's items, not sections of their own
        if kind is None:
            nodes[-1].lines.append(line)
            continue
        in_article = kind == "article"
        heading = line.text.strip()
        if kind == "annex":
            in_annex, stack = True, [(0, "附件", "附件")]
        else:
            depth = DEPTH[kind]
            stack = [s for s in stack if s[0] < depth]
            element = "附件说明" if kind == "annex_note" else _short_heading(kind, heading)
            stack.append((depth, element, _numbering_token(kind, heading)))
        node = _Node(kind, heading, [line], tuple(s[1] for s in stack), tuple(s[2] for s in stack if s[2]), in_annex)
        nodes.append(node)
    return nodes


def _label(node: _Node) -> str:
    nums = list(node.numbering)
    if node.kind in ("chapter", "section", "article"):
        return "".join(nums)
    if node.kind == "annex_note":
        return "附件说明"
    if nums and nums[0] == "附件":
        return " ".join(["附件", "".join(nums[1:])]).strip()
    return "".join(nums)


def _span(lines: list[_Line]) -> tuple[int, int] | None:
    content = [ln for ln in lines if ln.text.strip()]
    if not content:
        return None
    first, last = content[0], content[-1]
    lead = len(first.text) - len(first.text.lstrip())
    trail = len(last.text) - len(last.text.rstrip())
    return first.start + lead, last.end - trail


def _trimmed(text: str, start: int, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Absolute spans of the non-blank pieces, without their surrounding whitespace."""
    spans = []
    for a, b in pieces:
        piece = text[a:b]
        if piece.strip():
            spans.append((start + a + len(piece) - len(piece.lstrip()), start + b - (len(piece) - len(piece.rstrip()))))
    return spans


def cap_pieces(text: str, limit: int = HARD_MAX_CHARS) -> list[tuple[int, int]]:
    """Relative spans of at most `limit` characters, cut at the best break in the second half of each."""
    pieces, a = [], 0
    while len(text) - a > limit:
        window = text[a:a + limit]
        cut = next((window.rfind(ch) + 1 for ch in PIECE_BREAKS if window.rfind(ch) >= limit // 2), limit)
        pieces.append((a, a + cut))
        a += cut
    pieces.append((a, len(text)))
    return pieces


def split_sentences(text: str, start: int, max_chars: int = MAX_CHARS) -> list[tuple[int, int]]:
    """Spans (absolute offsets) of pieces of at most about `max_chars`, cut after 。；！？; a piece with no
    sentence end is cut further so that none exceeds HARD_MAX_CHARS."""
    if len(text) <= max_chars:
        return [(start, start + len(text))]
    cuts = [m.end() for m in SENTENCE_END.finditer(text)]
    if not cuts or cuts[-1] != len(text):
        cuts.append(len(text))
    pieces, piece_start, prev = [], 0, 0
    for cut in cuts:
        if cut - piece_start > max_chars and prev > piece_start:
            pieces.append((piece_start, prev))
            piece_start = prev
        prev = cut
    pieces.append((piece_start, len(text)))
    capped = [(a + x, a + y) for a, b in pieces for x, y in cap_pieces(text[a:b])]
    return _trimmed(text, start, capped)


def capped_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span kept whole (a unit's duties, a 文件头) unless it exceeds HARD_MAX_CHARS."""
    return _trimmed(text[start:end], start, cap_pieces(text[start:end]))


class _ChunkMaker:
    def __init__(self, doc: SourceDocument):
        self.doc = doc
        self.ordinals: dict[str, int] = {}

    def make(self, path: tuple[str, ...], label: str, start: int, end: int, **extra) -> Chunk:
        key = "/".join(path) or "_"
        ordinal = self.ordinals.get(key, 0)
        self.ordinals[key] = ordinal + 1
        return Chunk(
            chunk_id=f"{self.doc.doc_id}:{key}:{ordinal}",
            doc_id=self.doc.doc_id,
            doc_title=self.doc.citation_title,
            section_path=path,
            label=label,
            text=self.doc.text[start:end],
            start=start,
            end=end,
            verbatim=self.doc.verbatim,
            **extra,
        )


def _preamble_chunks(node: _Node, maker: _ChunkMaker) -> list[Chunk]:
    """Before the first heading: the notice (文号, issuer, date, title) and the preface paragraph."""
    blocks: list[list[_Line]] = [[]]
    for line in node.lines:
        if line.text.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if not blocks:
        return []
    preface = blocks[-1] if blocks[-1][-1].text.strip().endswith("。") and len(blocks) > 1 else []
    head = [ln for b in blocks if b is not preface for ln in b]
    chunks = []
    span = _span(head)
    if span and span[1] - span[0] > HEAD_MAX_CHARS:  # no headings at all: body text, cut by sentences
        for a, b in split_sentences(maker.doc.text[span[0]:span[1]], span[0]):
            chunks.append(maker.make(("正文",), "正文", a, b, kind="clause"))
    elif span:
        chunks.append(maker.make(("文件头",), "文件头", *span, kind="header"))
    if preface:
        span = _span(preface)
        for a, b in split_sentences(maker.doc.text[span[0]:span[1]], span[0]):
            chunks.append(maker.make(("前言",), "前言", a, b, kind="preamble"))
    return chunks


def _roster_chunks(node: _Node, maker: _ChunkMaker) -> list[Chunk]:
    """One chunk per member line (continuation lines folded in), and one per note sentence."""
    chunks: list[Chunk] = []
    members: list[dict] = []
    role = ""
    notes: list[_Line] = []
    for line in node.lines[1:]:
        text = line.text.strip()
        if not text:
            continue
        match = ROSTER_LINE.match(text)
        if match and not SENTENCE_END.search(text) and len(text) <= ROSTER_LINE_MAX:
            role = re.sub(r"\s", "", match.group("role") or "") or role
            lead = len(line.text) - len(line.text.lstrip())
            members.append({
                "role": role, "person": re.sub(r"\s", "", match.group("name")),
                "title": match.group("title").strip(), "start": line.start + lead, "end": line.end,
            })
        elif members and not SENTENCE_END.search(text) and len(text) < 20 and not notes:
            members[-1]["title"] += text  # wrapped title, e.g. "…市人力资源和社会\n保障局局长"
            members[-1]["end"] = line.end
        else:
            notes.append(line)
    for m in members:  # the member's unit is tagged once the document's units are known
        end = m["end"] - (len(maker.doc.text[m["start"]:m["end"]]) - len(maker.doc.text[m["start"]:m["end"]].rstrip()))
        chunks.append(maker.make(
            (*node.path, m["role"]), f"{_label(node)} {m['role']} {m['person']}", m["start"], end,
            kind="roster_member", person=m["person"], role=m["role"], person_title=m["title"],
        ))
    span = _span(notes)
    if span:
        for a, b in split_sentences(maker.doc.text[span[0]:span[1]], span[0], max_chars=0):
            chunks.append(maker.make((*node.path, "专班办公室"), f"{_label(node)} 专班办公室", a, b, kind="roster_note"))
    return chunks


def _is_roster(node: _Node) -> bool:
    return node.in_annex and node.kind == "l1" and "名单" in node.heading


def _unit_of(node: _Node) -> str:
    """Annex duty sections are headed by the unit's name, e.g. （九）市财政局."""
    if node.in_annex and node.kind == "l2" and len(node.path) >= 2 and "职责" in node.path[-2]:
        return node.heading[len(node.numbering[-1]):].strip()
    return ""


def chunk_document(doc: SourceDocument, units: tuple[Unit, ...] | None = None) -> list[Chunk]:
    """The document's chunks; roster members carry their unit, taken from `units` (by default the
    document's own, from its duty annex: see `document_units`)."""
    chunks = _structure_chunks(doc)
    if units is None:
        units = document_units(doc, chunks)
    return [_with_unit(c, units) if c.kind == "roster_member" else c for c in chunks]


def document_units(doc: SourceDocument, chunks: list[Chunk]) -> tuple[Unit, ...]:
    """The units the document's duty annex names, in its order, with their aliases."""
    names = [c.unit for c in chunks if c.kind == "unit_duty"]
    titles = [c.person_title for c in chunks if c.kind == "roster_member"]
    return derive_units(names, doc.region, titles)


def _with_unit(chunk: Chunk, units: tuple[Unit, ...]) -> Chunk:
    named = units_in(units, chunk.person_title)
    return replace(chunk, unit=named[0].name) if named else chunk


def _structure_chunks(doc: SourceDocument) -> list[Chunk]:
    maker = _ChunkMaker(doc)
    chunks: list[Chunk] = []
    for node in _parse_nodes(doc.text):
        if node.kind == "preamble":
            chunks.extend(_preamble_chunks(node, maker))
            continue
        if _is_roster(node):
            chunks.extend(_roster_chunks(node, maker))
            continue
        span = _span(node.lines)
        bare = (node.kind in ("l1", "l2", "chapter", "section") and "。" not in node.heading
                and not any(ln.text.strip() for ln in node.lines[1:]))
        if span is None or bare:
            continue  # a bare heading: its text lives on in its children's section path
        unit = _unit_of(node)
        if unit:
            # One chunk per unit, whole: the duty list is what people ask for.
            for a, b in capped_spans(doc.text, *span):
                chunks.append(maker.make(node.path, _label(node) + unit, a, b, kind="unit_duty", unit=unit))
            continue
        kind = {"annex": "annex_title", "annex_note": "annex_note"}.get(node.kind, "clause")
        for a, b in split_sentences(doc.text[span[0]:span[1]], span[0]):
            chunks.append(maker.make(node.path, _label(node), a, b, kind=kind))
    return chunks

"""A document's profile (`DocumentProfile`): derived from its structure and metadata, the sidecar
overriding what it states.

Derived: the region (from the issuer or the title), the kind (第X条 → a rule; a 主要任务 section → a
plan), the roles of its sections (heading words → role, data/section_roles.yaml), the target year
(the year after 力争 in the goal section), its units (its duty annex), its number of chunks.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.domain.units import UNITS_FILE, Unit
from assistant.ingest.chunker import chunk_document, document_units
from assistant.ingest.doc_units import RULES_FILE
from assistant.models import IN_FORCE, SUMMARY_KIND, Chunk, DocumentProfile, SourceDocument

ROLES_FILE = Path(__file__).with_name("data") / "section_roles.yaml"
KINDS = ("plan", "national_rule", "provincial_rule", "notice", SUMMARY_KIND)
STATUSES = (IN_FORCE, "已废止", "被替代")
SUPERSEDED = "被替代"
NATIONAL = "全国"
REGION_AT_START = re.compile(r"^[\u4e00-\u9fff]{2,6}?(?:自治区|省|市|县|区)")
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十百零〇两]+、|（[一二三四五六七八九十百零〇两]+）|\d{1,2}[.．]|第[一二三四五六七八九十百零〇\d]+[章节条])\s*")
YEAR = re.compile(r"(\d{4})年")


@lru_cache(maxsize=1)
def role_rules() -> dict:
    return yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8"))


def region_of(issuer: str, title: str) -> str:
    """全国 for a national issuer, else the 省/市/县/区 the issuer (or the title) starts with."""
    if any(issuer.startswith(n) for n in role_rules()["national_issuers"]):
        return NATIONAL
    for text in (issuer, title):
        match = REGION_AT_START.match(text or "")
        if match:
            return match.group(0)
    return ""


def heading_roles(element: str) -> list[str]:
    """Roles a section heading plays, by the words of its heading (numbering stripped)."""
    core = NUMBERING.sub("", element)
    return [role for role, words in role_rules()["headings"].items() if any(w in core for w in words)]


def section_roles(chunks: list[Chunk]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(role, section path) for every section whose heading names a role, and every structural part
    the chunker recognised (文件头, 前言, 附件说明, 名单, 职责), in text order, each once."""
    by_kind = role_rules()["chunk_kinds"]
    found: dict[tuple[str, tuple[str, ...]], None] = {}
    for chunk in sorted(chunks, key=lambda c: c.start):
        path = chunk.section_path
        for depth, element in enumerate(path):
            for role in heading_roles(element):
                found.setdefault((role, path[: depth + 1]))
        role = by_kind.get(chunk.kind)
        if role:
            # A unit's or a member's chunk sits one level below the section that plays the role.
            member = chunk.kind in ("unit_duty", "roster_member", "roster_note") and len(path) > 1
            found.setdefault((role, path[:-1] if member else path))
    return tuple(found)


def _kind(meta_kind: str, region: str, chunks: list[Chunk], sections) -> str:
    if meta_kind in KINDS:
        return meta_kind
    if any(c.label.startswith("第") and "条" in c.label for c in chunks):
        if region == NATIONAL:
            return "national_rule"
        return "provincial_rule" if region.endswith("省") else "notice"
    return "plan" if any(role == "tasks" for role, _ in sections) else "notice"


def target_year(chunks: list[Chunk], sections) -> str:
    """The year the goal section aims at: the first 'XXXX年' after 力争 (or 确保, 到) in it."""
    goals = [path for role, path in sections if role == "goal"]
    marks = "|".join(map(re.escape, role_rules()["target_year_marks"]))
    for chunk in chunks:
        if any(chunk.section_path[: len(p)] == p for p in goals):
            match = re.search(rf"(?:{marks})[^。；]{{0,6}}?(\d{{4}})年", chunk.text)
            if match:
                return match.group(1)
    return ""


def build_profile(doc: SourceDocument, chunks: list[Chunk], units: tuple[Unit, ...]) -> DocumentProfile:
    sections = section_roles(chunks)
    region = doc.region or region_of(doc.issuer, doc.title)
    status = doc.status if doc.status in STATUSES else (SUPERSEDED if doc.superseded_by else IN_FORCE)
    return DocumentProfile(
        doc_id=doc.doc_id, title=doc.title, short_title=doc.short_title or doc.title,
        doc_number=doc.doc_number, issuer=doc.issuer, date=doc.date,
        kind=_kind(doc.kind, region, chunks, sections), region=region, status=status,
        superseded_by=doc.superseded_by, valid_until=doc.valid_until, target_year=target_year(chunks, sections),
        fictional=doc.fictional, chunks=len(chunks), sections=sections, units=units,
    )


def chunk_and_profile(doc: SourceDocument) -> tuple[list[Chunk], DocumentProfile]:
    """The document's chunks and its profile (its units tag its roster members)."""
    chunks = chunk_document(doc)
    return chunks, build_profile(doc, chunks, document_units(doc, chunks))


def rules_fingerprint() -> str:
    """The data a profile is derived from: a change to any of it changes every profile."""
    files = (ROLES_FILE, RULES_FILE, UNITS_FILE)
    return hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()

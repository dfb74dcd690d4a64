"""Office files made in tests: OFD packages (zip of XML, GB/T 33190) and Word 97 binary files (.doc/.wps).

No library writes either format, so both are assembled here from their specifications: an OFD with one
TextObject per line (or per character, as converters often write), and an OLE compound file holding a
FIB, a UTF-16 text run and a piece table.
"""
from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OFD_NS = "http://www.ofdspec.org/2016"
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 25.0  # millimetres, the unit of OFD coordinates


def _ofd_xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'


def advance(ch: str, size: float) -> float:
    """A character's advance in a CJK font: a full em for Chinese, full-width signs and “”‘’, half for ASCII."""
    return size if unicodedata.east_asian_width(ch) in ("W", "F", "A") else size / 2


def wrap_em(text: str, width: float) -> list[str]:
    """Lines of at most `width` em, as a layout engine wraps them (a blank source line stays blank)."""
    lines = []
    for raw in text.split("\n"):
        line, used = "", 0.0
        for ch in raw.rstrip():
            if line and used + advance(ch, 1.0) > width:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += advance(ch, 1.0)
        lines.append(line)
    return lines


def _text_objects(lines: list[str], size: float, per_char: bool, first_id: int) -> list[str]:
    objects, next_id, y = [], first_id, MARGIN
    for line in lines:
        x = MARGIN
        pieces = list(line) if per_char else [line] if line else []
        for text in pieces:
            deltas = [advance(ch, size) for ch in text[:-1]]
            delta_x = f'DeltaX="{" ".join(f"{d:g}" for d in deltas)}"' if deltas else ""
            width = sum(advance(ch, size) for ch in text)
            objects.append(
                f'<ofd:TextObject ID="{next_id}" Boundary="{x:.2f} {y:.2f} {width:.2f} {size * 1.4:.2f}" '
                f'Font="2" Size="{size}"><ofd:FillColor Value="0 0 0"/>'
                f'<ofd:TextCode X="0" Y="{size:.2f}" {delta_x}>{escape(text)}</ofd:TextCode></ofd:TextObject>')
            next_id += 1
            x += width
        y += size * 1.6
    return objects


def write_ofd(path: Path, pages: list[list[str]], per_char: bool = False, size: float = 4.2) -> Path:
    """An OFD with one page per list of lines; each line is drawn at the left margin, one below the other."""
    page_refs, contents, next_id = [], {}, 10
    for number, lines in enumerate(pages):
        objects = _text_objects(lines, size, per_char, next_id)
        next_id += len(objects) + 1
        page_refs.append(f'<ofd:Page ID="{next_id}" BaseLoc="Pages/Page_{number}/Content.xml"/>')
        next_id += 1
        contents[f"Doc_0/Pages/Page_{number}/Content.xml"] = _ofd_xml(
            f'<ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content><ofd:Layer ID="{next_id}">{"".join(objects)}'
            "</ofd:Layer></ofd:Content></ofd:Page>")
        next_id += 1
    parts = {
        "OFD.xml": _ofd_xml(
            f'<ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.1" DocType="OFD"><ofd:DocBody>'
            "<ofd:DocInfo><ofd:DocID>0c3a1c1b5e0f4a6d9c1f2b7a8e9d0c1b</ofd:DocID><ofd:Creator>tests</ofd:Creator></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"),
        "Doc_0/Document.xml": _ofd_xml(
            f'<ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData><ofd:MaxUnitID>{next_id}</ofd:MaxUnitID>'
            f"<ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_W} {PAGE_H}</ofd:PhysicalBox></ofd:PageArea>"
            "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
            f'<ofd:Pages>{"".join(page_refs)}</ofd:Pages></ofd:Document>'),
        "Doc_0/PublicRes.xml": _ofd_xml(
            f'<ofd:Res xmlns:ofd="{OFD_NS}" BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'),
        **contents,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


# ---------------------------------------------------------------- .docx (python-docx, with Word's own list numbering)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CN_NUM = "一二三四五六七八九十"
# The numbering official documents use: 一、 then （一） then 1. (a space after "1.", nothing after the others).
DOC_LEVELS = (("chineseCounting", "%1、", "nothing"), ("chineseCounting", "（%2）", "nothing"), ("decimal", "%3.", "space"))
TYPED_NUMBER = (re.compile(rf"^[{CN_NUM}]+、"), re.compile(rf"^（[{CN_NUM}]+）"), re.compile(r"^\d{1,2}\. "))


def add_list(document, abstract_id: int, num_id: int) -> str:
    """A three-level list definition (abstractNum + num) appended to the document's numbering part."""
    from docx.oxml import parse_xml

    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:suff w:val="{suff}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text, suff) in enumerate(DOC_LEVELS))
    numbering = document.part.numbering_part.element
    first_num = numbering.find(f"{{{W_NS}}}num")
    abstract = parse_xml(f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract_id}">{levels}</w:abstractNum>')
    if first_num is not None:
        first_num.addprevious(abstract)  # the schema wants every abstractNum before the first num
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return str(num_id)


def number_paragraph(paragraph, num_id: str, level: int) -> None:
    from docx.oxml import parse_xml

    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def write_docx_plan(path: Path, text: str) -> Path:
    """The plan as an office would have it in Word: one paragraph per line, the 一、/（一）/1. numbers
    produced by Word's list numbering (not typed), headings in heading styles, a fresh list in the annex."""
    import docx

    document = docx.Document()
    lists = [add_list(document, 90, 90), add_list(document, 91, 91)]
    current = lists[0]
    for line in text.split("\n"):
        if line.strip() == "附件":
            current = lists[1]
        level = next((i for i, pattern in enumerate(TYPED_NUMBER) if pattern.match(line)), None)
        if level is None:
            document.add_paragraph(line)
            continue
        body = TYPED_NUMBER[level].sub("", line, count=1)
        paragraph = document.add_paragraph(body, style=("Heading 1", "Heading 2", None)[level])
        number_paragraph(paragraph, current, level)
    document.save(path)
    return path


def write_docx(path: Path, heading: str, clauses: list[str], table: list[list[str]], merged_first_column: bool = False) -> Path:
    """A short notice: a numbered heading, numbered clauses, and a table (optionally a first-column cell
    merged over the rows below it, as duty tables are laid out)."""
    import docx

    document = docx.Document()
    numbers = add_list(document, 92, 92)
    number_paragraph(document.add_paragraph(heading, style="Heading 1"), numbers, 0)
    for clause in clauses:
        number_paragraph(document.add_paragraph(clause), numbers, 2)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    if merged_first_column:
        grid.cell(1, 0).merge(grid.cell(len(table) - 1, 0))
    document.add_paragraph("本通知自印发之日起施行。")
    document.save(path)
    return path


# ---------------------------------------------------------------- .doc / .wps (Word 97 binary in an OLE file)

SECTOR = 512
MINI_CUTOFF = 4096  # streams declared smaller than this live in the mini stream: ours are padded past it
FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _padded(data: bytes) -> bytes:
    size = max(len(data), MINI_CUTOFF)
    return data + b"\0" * (-size % SECTOR + size - len(data))


def _dir_entry(name: str, kind: int, start: int, size: int, child: int = FREE, right: int = FREE) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, FREE, right, child)
            + b"\0" * 16 + struct.pack("<IQQIQ", 0, 0, 0, start, size))


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file ([MS-CFB]) holding `streams` in the root storage."""
    bodies = {name: _padded(data) for name, data in streams.items()}
    names = sorted(bodies, key=lambda n: (len(n), n.upper()))  # the directory's sibling order
    data_sectors = sum(len(b) // SECTOR for b in bodies.values())
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + 1 + data_sectors:
        fat_sectors += 1
    fat = [FAT_SECTOR] * fat_sectors + [END]  # then the directory, one sector
    starts, payload = {}, b""
    for name in names:
        starts[name] = len(fat)
        count = len(bodies[name]) // SECTOR
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END]
        payload += bodies[name]
    fat += [FREE] * (-len(fat) % (SECTOR // 4))
    entries = [_dir_entry("Root Entry", 5, END, 0, child=1)]
    for i, name in enumerate(names, 1):
        entries.append(_dir_entry(name, 2, starts[name], len(bodies[name]), right=i + 1 if i < len(names) else FREE))
    directory = b"".join(entries).ljust(SECTOR, b"\0")
    difat = list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, fat_sectors, fat_sectors, 0, MINI_CUTOFF, END, 0, END, 0)
              + struct.pack("<109I", *difat))
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + payload


def word97_streams(pieces: list[str], encrypted: bool = False, table: str = "1Table") -> dict[str, bytes]:
    """WordDocument + table stream for a main text made of `pieces`: a piece of pure ASCII is stored 8-bit
    ("compressed"), any other as UTF-16, as Word does. Paragraphs end with \\r; table cells with \\x07."""
    text_at = 1024
    body, spans = b"", []
    for piece in pieces:
        compressed = piece.isascii()
        raw = piece.encode("cp1252") if compressed else piece.encode("utf-16-le")
        if not compressed and (text_at + len(body)) % 2:
            body += b"\0"
        offset = text_at + len(body)
        spans.append(((offset * 2) | 0x40000000 if compressed else offset))
        body += raw
    cps = [0]
    for piece in pieces:
        cps.append(cps[-1] + len(piece))
    plc = struct.pack(f"<{len(cps)}I", *cps) + b"".join(struct.pack("<HIH", 0, fc, 0) for fc in spans)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    flags = (0x0200 if table == "1Table" else 0) | (0x0100 if encrypted else 0)
    fib = bytearray(text_at)
    struct.pack_into("<HHHHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x0804, 0, flags)
    struct.pack_into("<H", fib, 32, 14)
    struct.pack_into("<H", fib, 62, 22)
    struct.pack_into("<I", fib, 76, cps[-1])  # ccpText: the whole text is the main document
    struct.pack_into("<H", fib, 152, 0x5D)
    struct.pack_into("<II", fib, 0x01A2, 0, len(clx))  # fcClx, lcbClx
    return {"WordDocument": bytes(fib) + body, table: clx}


def write_word97(path: Path, pieces: list[str], **kwargs) -> Path:
    path.write_bytes(ole_file(word97_streams(pieces, **kwargs)))
    return path

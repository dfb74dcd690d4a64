"""Text of the office formats government offices send: .docx (python-docx), .doc/.wps (Word 97 binary,
through olefile) and .ofd (GB/T 33190, through ofdkit).

Each reader returns the document's text; a file it cannot read raises ValueError with a Chinese reason.
Word's automatic numbering is written out as text (一、 （一） 1.), as Word shows it, so the chunker sees
the document's structure; table rows become one line each, cells separated by tabs (as Word's own
"save as plain text" does).
"""
from __future__ import annotations

import io
import re
import struct
import zipfile

MAX_UNZIPPED_MB = 200  # a .docx or .ofd is a zip: refuse one that inflates past this (a zip bomb)
MAX_ZIP_ENTRIES = 20000
SAVE_AS_DOCX = "请用 Word 或 WPS 打开后另存为 .docx 再放入"
OFD_EXPORT = "请用 OFD 阅读器（如数科 OFD 阅读器、WPS）将其导出为 PDF 后再放入"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


# ---------------------------------------------------------------- zip containers

def check_zip(data: bytes, kind: str) -> None:
    """Refuse a zip that is damaged, too large once inflated, or holds too many entries."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValueError(f"{kind} 文件已损坏或格式不正确（{type(exc).__name__}）") from exc
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED_MB * 1024 * 1024:
        raise ValueError(f"{kind} 文件解压后超过 {MAX_UNZIPPED_MB} MB 或条目过多，已拒绝读取")


# ---------------------------------------------------------------- .docx

CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五: how Word's chineseCounting writes list numbers."""
    if n <= 0 or n >= 10000:
        return str(n)
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                parts.append("零")
            parts.append(CN_DIGITS[digit] + unit)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out += numeral * count
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


NUMBER_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(d) + 0xFEE0) for d in str(n)),
    "decimalEnclosedCircle": lambda n: chr(0x245F + n) if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: chr(0x245F + n) if 1 <= n <= 20 else str(n),
    "chineseCounting": chinese_number,
    "chineseCountingThousand": chinese_number,
    "chineseLegalSimplified": chinese_number,
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "ideographZodiac": lambda n: "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12],
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
}


def _val(element, tag: str, default: str = "") -> str:
    child = element.find(W + tag) if element is not None else None
    return child.get(W + "val", default) if child is not None else default


class _Numbering:
    """Word's list numbering (numbering.xml), counted paragraph by paragraph as Word does."""

    def __init__(self, document):
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError):
            root = None
        abstract = {a.get(W + "abstractNumId"): self._levels(a) for a in (root.iter(W + "abstractNum") if root is not None else [])}
        self.lists: dict[str, dict[int, dict]] = {}
        for num in root.iter(W + "num") if root is not None else []:
            levels = {k: dict(v) for k, v in abstract.get(_val(num, "abstractNumId"), {}).items()}
            for override in num.iter(W + "lvlOverride"):
                ilvl = int(override.get(W + "ilvl", "0"))
                levels.update(self._levels(override))
                start = _val(override, "startOverride")
                if start and ilvl in levels:
                    levels[ilvl]["start"] = int(start)
            self.lists[num.get(W + "numId")] = levels
        self.counters: dict[str, list[int]] = {}

    @staticmethod
    def _levels(parent) -> dict[int, dict]:
        return {
            int(lvl.get(W + "ilvl", "0")): {
                "fmt": _val(lvl, "numFmt", "decimal"), "text": _val(lvl, "lvlText"),
                "start": int(_val(lvl, "start", "1") or 1), "suff": _val(lvl, "suff", "tab"),
            }
            for lvl in parent.findall(W + "lvl")
        }

    def label(self, num_id: str, ilvl: int) -> str:
        """The number Word shows before this paragraph, with its separator; counting moves on."""
        levels = self.lists.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, [0] * 9)
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else levels[ilvl]["start"]
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = 0
        level = levels[ilvl]
        if level["fmt"] in ("bullet", "none"):
            return ""
        def number(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            fmt = levels.get(k, level)["fmt"]
            value = counts[k] or levels.get(k, level)["start"]
            return NUMBER_FORMATS.get(fmt, str)(value)
        text = re.sub(r"%([1-9])", number, level["text"])
        return text + ("" if level["suff"] == "nothing" or not text else " ")


def _num_pr(paragraph) -> tuple[str, int] | None:
    """(numId, level) from the paragraph, else from its style chain (a numbered heading style)."""
    p_pr = paragraph._p.pPr
    style = paragraph.style
    for holder in [p_pr, *[s.element.pPr for s in _style_chain(style)]]:
        num_pr = holder.find(W + "numPr") if holder is not None else None
        if num_pr is not None:
            num_id = _val(num_pr, "numId")
            return (num_id, int(_val(num_pr, "ilvl", "0") or 0)) if num_id and num_id != "0" else None
    return None


def _style_chain(style) -> list:
    chain = []
    while style is not None and len(chain) < 10:
        chain.append(style)
        style = style.base_style
    return chain


def _paragraph_text(p) -> str:
    """The paragraph's own text (not that of text boxes inside it, not the duplicate fallback copy)."""
    out = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
        parent, inside = el.getparent(), False
        while parent is not None and parent is not p:
            if parent.tag in (W + "txbxContent", MC_FALLBACK):
                inside = True
                break
            parent = parent.getparent()
        if inside:
            continue
        out.append(el.text or "" if el.tag == W + "t" else "\t" if el.tag == W + "tab" else "\n")
    return "".join(out)


def _paragraph_line(paragraph, numbering: _Numbering) -> str:
    text = _paragraph_text(paragraph._p)
    num = _num_pr(paragraph)
    return (numbering.label(*num) if num and text.strip() else "") + text


def _table_lines(table, numbering: _Numbering) -> list[str]:
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(t for t in (_paragraph_line(p, numbering).strip() for p in cell.paragraphs) if t))
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def read_docx(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data.startswith(OLE_MAGIC):  # Word keeps a password-protected .docx inside an OLE container
        raise ValueError(".docx 文件已加密（受密码保护），无法读取，请提供未加密的版本")
    check_zip(data, ".docx")
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(document)
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, docx.table.Table):
                lines.extend(_table_lines(block, numbering))
            else:
                lines.append(_paragraph_line(block, numbering))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f".docx 文件已损坏或不是 Word 文档（{type(exc).__name__}）") from exc
    except Exception as exc:  # lxml and python-docx raise many types on malformed parts; none may stop the build
        raise ValueError(f".docx 文件无法解析（{type(exc).__name__}）") from exc
    return "\n".join(line.rstrip() for line in lines).strip("\n")


# ---------------------------------------------------------------- .doc / .wps (Word 97 binary)

FIB_FLAGS, FIB_NFIB, FIB_CCP_TEXT, FIB_FC_CLX = 0x0A, 0x02, 0x4C, 0x01A2
WORD97_NFIB = 0x00C1
F_ENCRYPTED, F_WHICH_TABLE = 0x0100, 0x0200
# Word's in-text marks: field begin/separator/end, page/section break, pictures. A cell ends with \x07
# and a table row with one more \x07: a row becomes one line, its cells separated by tabs.
CELL_MARKS = re.compile("\x07+")
FIELD_BEGIN, FIELD_SEPARATOR, FIELD_END = "\x13", "\x14", "\x15"
MARKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x1e": "-",
                       "\xa0": " ", "\x01": None, "\x08": None, "\x1f": None, "\x02": None, "\x05": None})


def _pieces(table: bytes, fc_clx: int, lcb_clx: int) -> list[tuple[int, int, int, bool]]:
    """The piece table: (cp start, cp end, file offset, 8-bit?) for each run of the main text."""
    clx, pos = table[fc_clx:fc_clx + lcb_clx], 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: formatting, skipped
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ValueError(f"缺少文字索引（piece table），文件不完整，{SAVE_AS_DOCX}")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + lcb]
    count = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces = []
    for i in range(count):
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]
        compressed = bool(fc & 0x40000000)
        offset = (fc & 0x3FFFFFFF) // 2 if compressed else fc & 0x3FFFFFFF
        pieces.append((cps[i], cps[i + 1], offset, compressed))
    return pieces


def _drop_field_codes(text: str) -> str:
    """Keep a field's shown result, not its instruction (PAGE, HYPERLINK "…")."""
    out, stack = [], []  # stack: per open field, whether we are past its separator
    for ch in text:
        if ch == FIELD_BEGIN:
            stack.append(False)
        elif ch == FIELD_SEPARATOR and stack:
            stack[-1] = True
        elif ch == FIELD_END and stack:
            stack.pop()
        elif all(stack):
            out.append(ch)
    return "".join(out)


def word97_text(word: bytes, table_streams: dict[str, bytes]) -> str:
    """Main-document text of a Word 97–2003 WordDocument stream ([MS-DOC] FIB and piece table)."""
    if len(word) < FIB_FC_CLX + 8 or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
        raise ValueError(f"不是 Word 97–2003 格式，{SAVE_AS_DOCX}")
    flags = struct.unpack_from("<H", word, FIB_FLAGS)[0]
    if flags & F_ENCRYPTED:
        raise ValueError("已加密（受密码保护），无法读取，请提供未加密的版本")
    if struct.unpack_from("<H", word, FIB_NFIB)[0] < WORD97_NFIB:
        raise ValueError(f"是 Word 6/95 等早期格式，无法读取，{SAVE_AS_DOCX}")
    table = table_streams.get("1Table" if flags & F_WHICH_TABLE else "0Table")
    if table is None:
        raise ValueError(f"缺少表格流（Table），文件不完整，{SAVE_AS_DOCX}")
    ccp_text = struct.unpack_from("<I", word, FIB_CCP_TEXT)[0]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, FIB_FC_CLX)
    chars = []
    for cp_start, cp_end, offset, compressed in _pieces(table, fc_clx, lcb_clx):
        if cp_start >= ccp_text:
            break
        n = min(cp_end, ccp_text) - cp_start
        raw = word[offset:offset + n] if compressed else word[offset:offset + 2 * n]
        chars.append(raw.decode("cp1252", errors="replace") if compressed else raw.decode("utf-16-le", errors="replace"))
    text = _drop_field_codes("".join(chars))
    text = CELL_MARKS.sub(lambda m: "\t" if len(m.group()) == 1 else "\t" * (len(m.group()) - 2) + "\n", text)
    return text.translate(MARKS)


def read_word97(data: bytes, suffix: str) -> str:
    """.doc and .wps (WPS 文字 writes the same Word 97 binary). A .docx saved under the old name is read
    as .docx; RTF, HTML and anything else gets the advice to save as .docx."""
    import olefile

    if data.startswith(ZIP_MAGIC):
        return read_docx(data)
    if not data.startswith(OLE_MAGIC):
        what = "实际是 RTF 文件" if data.startswith(b"{\\rtf") else "不是 Word 97–2003 格式"
        raise ValueError(f"{suffix} 文件{what}，无法读取，{SAVE_AS_DOCX}")
    try:
        with olefile.OleFileIO(data) as ole:
            streams = {name: ole.openstream(name).read()
                       for name in ("WordDocument", "0Table", "1Table") if ole.exists(name)}
        if "WordDocument" not in streams:
            raise ValueError(f"中没有 Word 文字内容（可能是其他软件的格式），{SAVE_AS_DOCX}")
        text = word97_text(streams.pop("WordDocument"), streams)
    except ValueError as exc:
        raise ValueError(f"{suffix} 文件{exc}") from exc
    except Exception as exc:  # olefile and struct raise many types on damaged files
        raise ValueError(f"{suffix} 文件已损坏，无法读取（{type(exc).__name__}），{SAVE_AS_DOCX}") from exc
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# ---------------------------------------------------------------- .ofd

def read_ofd(data: bytes) -> str:
    """The text layer of every page (ofdkit orders the runs into lines), wrapped lines joined."""
    import ofdkit

    from assistant.ingest.layout import join_lines, text_lines, tighten

    check_zip(data, ".ofd")
    try:
        with ofdkit.open(data) as document:
            pages = [text_lines("\n".join(tighten(ln) for ln in page.text().split("\n"))) for page in document.pages]
    except ofdkit.OFDError as exc:
        raise ValueError(f".ofd 文件已损坏或格式不正确（{type(exc).__name__}），{OFD_EXPORT}") from exc
    except Exception as exc:  # XML and zip errors of a damaged package
        raise ValueError(f".ofd 文件无法解析（{type(exc).__name__}），{OFD_EXPORT}") from exc
    text = join_lines(pages)
    if not re.search(r"\w", text):
        raise ValueError(f".ofd 文件中没有文字层（可能是扫描件），{OFD_EXPORT}")
    return text

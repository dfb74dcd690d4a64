"""Joining the printed lines of fixed-layout pages (scans, OFD) back into paragraphs."""
from assistant.ingest.layout import Line, join_lines, text_lines

WIDTH = 28.0  # em: an official document's line
FILLER = [Line("甲" * 28, 0.0, WIDTH)] * 5 + [Line("止。", 0.0, 2.0)]  # sets the text width, then ends


def full(text: str) -> Line:
    return Line(text, 0.0, WIDTH)


def short(text: str) -> Line:
    return Line(text, 0.0, len(text))


def tail(pages: list[list[Line]], n: int) -> list[str]:
    return join_lines(pages).split("\n")[-n:]


def test_wrapped_lines_join_and_short_lines_end_paragraphs():
    lines = [*FILLER, full("一段文字很长，排到了行尾"), short("才结束。"), short("另起一段。")]
    assert tail([lines], 2) == ["一段文字很长，排到了行尾才结束。", "另起一段。"]


def test_a_paragraph_runs_on_across_the_page_break_past_the_page_number():
    first = [*FILLER, full("这一句在页末还没有说"), Line("— 3 —", 12.0, 15.0)]
    second = [short("完。"), *FILLER]
    text = join_lines([first, second])
    assert "这一句在页末还没有说完。" in text.split("\n") and "3" not in text


def test_headings_indented_lines_and_list_rows_are_never_glued_on():
    lines = [*FILLER, full("上一段排满了一整行"), short("（二）强化教师队伍管理"),
             full("成 员：李士东 市政协党组成员，市发展和改革局局长"), short("唐爱军 市委组织部副部长"),
             full("又一段排满了一整行"), Line("首行缩进的新段落。", 2.0, 11.0)]
    assert tail([lines], 6) == ["上一段排满了一整行", "（二）强化教师队伍管理",
                                "成 员：李士东 市政协党组成员，市发展和改革局局长", "唐爱军 市委组织部副部长",
                                "又一段排满了一整行", "首行缩进的新段落。"]


def test_short_documents_are_not_joined_at_all():
    assert join_lines([text_lines("标题\n第一句话没有句号\n第二句")]) == "标题\n第一句话没有句号\n第二句"

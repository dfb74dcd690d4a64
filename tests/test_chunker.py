
import pytest

from assistant.domain.units import unit_names
from assistant.ingest.chunker import chunk_document, heading_kind, split_sentences
from assistant.ingest.loaders import load_corpus
from assistant.models import SourceDocument
from assistant.settings import REPO_ROOT


@pytest.fixture(scope="module")
def plan():
    docs, problems = load_corpus(REPO_ROOT / "corpus")
    assert problems == []
    return next(d for d in docs if d.doc_id == "qufu-2024-17-plan")


@pytest.fixture(scope="module")
def chunks(plan):
    return chunk_document(plan)


def test_every_chunk_reproduces_its_source_slice(plan, chunks):
    for c in chunks:
        assert plan.text[c.start : c.end] == c.text, c.chunk_id
        assert c.section_path, c.chunk_id
        assert c.text.strip() == c.text


def test_chunk_ids_are_unique_and_stable(plan, chunks):
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))
    assert [c.chunk_id for c in chunk_document(plan)] == ids


def test_exactly_21_annex_units_in_order(chunks):
    units = [c for c in chunks if c.kind == "unit_duty"]
    assert [c.unit for c in units] == unit_names()
    assert len(units) == 21
    finance = next(c for c in units if c.unit == "市财政局")
    assert finance.label == "附件 二（九）市财政局"
    assert finance.section_path == ("附件", "二、工作专班工作职责", "（九）市财政局")
    assert "完善义务教育经费保障机制" in finance.text
    assert units[-1].unit == "各镇街" and units[-1].label == "附件 二（二十一）各镇街"


@pytest.mark.parametrize(
    "fragment, path, label",
    [
        ("每百名学生拥有音体美专任教师数", ("二、主要任务", "（二）强化教师队伍管理", "1. 优化教师队伍结构"), "二（二）1"),
        ("就近划片入学比例分别达到100%、95%以上", ("二、主要任务", "（三）提高教育教学质量", "6. 规范学校办学行为"), "二（三）6"),
        ("特殊教育学校生均公用经费不低于8000元", ("二、主要任务", "（四）增强教育保障能力", "3. 落实教育投入政策"), "二（四）3"),
        ("建设标准统一、教师编制标准统一", ("三、保障措施", "（一）加强组织领导"), "三（一）"),
        ("力争2025年通过国家义务教育优质均衡市评估认定", ("一、工作目标",), "一"),
    ],
)
def test_section_paths_of_sample_clauses(chunks, fragment, path, label):
    holder = [c for c in chunks if fragment in c.text]
    assert len(holder) == 1
    assert holder[0].section_path == path and holder[0].label == label


def test_roster_lines_parsed(chunks):
    members = {c.person: c for c in chunks if c.kind == "roster_member"}
    leader = members["崔加清"]
    assert (leader.role, leader.person_title) == ("组长", "市委副书记、市长")
    assert members["王进"].role == "副组长" and members["储艳丽"].role == "副组长"
    # A title wrapped onto the next line is folded back into the member.
    assert members["唐爱军"].person_title == "市委组织部副部长，市人力资源和社会保障局局长"
    assert members["唐爱军"].unit == "市人力资源和社会保障局"
    assert members["曾宪芳"].unit == "市公安局"
    assert members["颜世泉"].unit == "各镇街"
    assert len(members) == 35
    office = [c for c in chunks if c.kind == "roster_note"]
    assert "办公室设在市教体局，王庆新同志兼任办公室主任" in office[0].text
    assert office[1].text == "评审通过后该工作专班自动解散。"


def test_long_clauses_split_at_sentence_ends(chunks):
    pieces = [c for c in chunks if c.label == "二（二）2"]
    assert len(pieces) == 2
    assert pieces[0].text.endswith("。") and pieces[0].end <= pieces[1].start
    assert pieces[0].section_path == pieces[1].section_path


def test_split_sentences_keeps_offsets():
    text = "甲" * 150 + "。" + "乙" * 150 + "；" + "丙" * 20 + "。"
    spans = split_sentences(text, 10, max_chars=200)
    assert [text[a - 10 : b - 10] for a, b in spans] == ["甲" * 150 + "。", "乙" * 150 + "；" + "丙" * 20 + "。"]


def test_legal_style_articles():
    text = "某某管理办法\n第一章 总则\n第一条 为了规范管理，制定本办法。\n第二条 本办法适用于全省。\n第二章 标准\n第一节 资源配置\n第三条 每百名学生拥有音体美专任教师数达到0.9人以上。\n"
    doc = SourceDocument("rule", "某某管理办法", text, "rule.txt", "x")
    chunks = chunk_document(doc)
    art3 = next(c for c in chunks if "0.9" in c.text)
    assert art3.section_path == ("第二章 标准", "第一节 资源配置", "第三条")
    assert art3.label == "第二章第一节第三条"
    assert next(c for c in chunks if "适用于全省" in c.text).label == "第一章第二条"
    for c in chunks:
        assert text[c.start : c.end] == c.text


@pytest.mark.parametrize(
    "line, kind",
    [("一、工作目标", "l1"), ("（十二）市文化和旅游局", "l2"), ("3. 开展扩优提质行动。", "l3"), ("2．整体改善", "l3"),
     ("附件", "annex"), ("第十条 学校", "article"), ("第三章 附则", "chapter"), ("2024年9月3日", None), ("", None)],
)
def test_heading_kinds(line, kind):
    assert heading_kind(line) == kind


# ---------------------------------------------------------------- text without headings (issue 16 item 10)

def test_text_without_headings_is_cut_into_bounded_pieces():
    from assistant.ingest.chunker import HARD_MAX_CHARS

    prose = "".join(f"第{i}段说明学校安全管理的要求，各校应当落实责任。" for i in range(3000))  # 80k characters, no heading
    table = "\n".join(f"学校{i}\t在校生{i}人\t教师{i}人" for i in range(2000))  # no sentence ends at all
    blob = "无" * 5000  # not even a line break
    for text in (prose, table, blob):
        doc = SourceDocument("d", "t", text, "d.txt", "x")
        chunks = chunk_document(doc)
        assert len(chunks) > len(text) // (2 * HARD_MAX_CHARS)
        assert all(len(c.text) <= HARD_MAX_CHARS and doc.text[c.start:c.end] == c.text for c in chunks)
        assert "".join(c.text for c in chunks).replace("\n", "") == text.replace("\n", "")  # nothing dropped
        assert {c.label for c in chunks} == {"正文"}
    table_chunks = chunk_document(SourceDocument("d", "t", table, "d.txt", "x"))
    assert all(c.text.endswith("人") for c in table_chunks[:-1])  # cut at line ends, not inside a row


def test_roster_lines_with_single_spaces_as_ocr_reads_them():
    text = "附件\n一、工作专班成员名单\n组 长：崔加清 市委副书记、市长\n副组长：王 进 市委常委，副市长\n储艳丽 副市长\n"
    chunks = chunk_document(SourceDocument("d", "t", text, "d.txt", "x"))
    members = [(c.role, c.person, c.person_title) for c in chunks if c.kind == "roster_member"]
    assert members == [("组长", "崔加清", "市委副书记、市长"), ("副组长", "王进", "市委常委，副市长"), ("副组长", "储艳丽", "副市长")]


def test_items_of_an_article_stay_in_the_article():
    """（一）… inside 第X条 are the article's items: kept in its chunk, and the next article is not
    filed under the last item."""
    text = ("示例规定（虚构）\n第二章 资源配置\n第三条 资源配置设两项指标：\n（一）生均教学仪器设备值：小学2000元以上；\n"
            "（二）每百名学生拥有网络多媒体教室数：小学2.3间以上。\n第四条 每所学校须全部达标。\n")
    chunks = chunk_document(SourceDocument("rule", "示例规定", text, "rule.txt", "x"))
    art3 = next(c for c in chunks if "2000" in c.text)
    assert art3.label == "第二章第三条" and "2.3间" in art3.text
    assert next(c for c in chunks if "全部达标" in c.text).section_path == ("第二章 资源配置", "第四条")

"""文件 tab and 新成员入门 (issue 13, items 5, 6 and 11): calibrated search with marked words and links
into the tree, no alias list in any quoted text, the briefing's 原文 column readable."""
from __future__ import annotations

import re

import pytest

from assistant.answer import briefing
from assistant.domain.indicators import default_registry
from assistant.index.registry_doc import registry_document
from assistant.ui import docs_view

# The calibration set of docs_view.MIN_MATCH: real queries of staff, and nonsense.
REAL = ["交流轮岗", "校车", "经费", "大班额", "骨干教师", "差异系数", "财政局", "教师培训", "控辍保学", "食品安全",
        "网吧", "县管校聘", "音体美", "多媒体教室", "生均公用经费", "特殊教育", "留守儿童", "工作专班", "劳动教育",
        "体育场馆面积", "教师编制", "职称评聘", "三个课堂", "集团化办学", "划片入学", "随迁子女", "法治副校长",
        "2025年", "督导", "学位", "信息化", "心理健康", "课后服务", "师德", "校长", "考核", "宣传", "安全",
        "学校的体育场馆面积要达到多少", "交流轮岗比例是多少", "市财政局负责什么", "教师培训经费占多少"]
NONSENSE = ["火星基地", "a", "b", "xyz", "量子计算机", "足球比赛", "股票", "天气预报", "哈哈", "123", "苹果手机", "恐龙",
            "外星人", "比特币", "游戏", "电影院", "火锅", "区块链", "zzz", "the"]


def best_score(assistant, query: str) -> float:
    lexical = assistant.index.lexical
    terms = docs_view.query_terms(lexical, query)
    hits = assistant.search(query, docs_view.CANDIDATES) if terms else []
    return max((docs_view.match_score(lexical, terms, h.chunk)[0] for h in hits), default=0.0)


def test_the_threshold_separates_real_queries_from_nonsense(assistant):
    real = {q: best_score(assistant, q) for q in REAL}
    nonsense = {q: best_score(assistant, q) for q in NONSENSE}
    assert min(real.values()) >= docs_view.MIN_MATCH + 0.2, real
    assert max(nonsense.values()) <= docs_view.MIN_MATCH - 0.1, nonsense


@pytest.mark.parametrize("query", ["火星基地", "a", "量子计算机"])
def test_nonsense_says_not_found(assistant, query):
    html = docs_view.search_html(assistant, query)
    assert docs_view.NO_HITS in html and "相关度" not in html and "<mark>" not in html


def test_not_found_names_the_missing_word_and_a_part_to_try(assistant):
    html = docs_view.search_html(assistant, "火星基地")
    assert "“火星”在已收录的文件中没有出现" in html
    assert "“溺水”" in docs_view.search_html(assistant, "防溺水")  # the plan says 预防学生溺水


def test_hits_mark_the_words_and_link_to_their_place_in_the_tree(assistant):
    html = docs_view.search_html(assistant, "交流轮岗", 5)
    assert "二（二）1" in html and "相关度 100%" in html
    assert "<mark>交流轮岗</mark>" in html
    tree = docs_view.tree_html(briefing.document_tree(assistant.index))
    links = re.findall(r'data-section="(sec-[0-9a-f]+)"', html)
    assert links and all(f'id="{target}"' in tree for target in links)


def test_a_word_inside_another_word_is_no_match(assistant):
    """德智体美劳 holds 体美 but not 音体美: before, every hit that held a part of the query was listed."""
    html = docs_view.search_html(assistant, "音体美", 10)
    assert "德智体美劳" not in html and "<mark>音体美</mark>" in html


def test_search_output_is_escaped(assistant):
    html = docs_view.search_html(assistant, "<script>alert(1)</script>")
    assert "<script" not in html
    assert docs_view.NO_QUERY in docs_view.search_html(assistant, "  ")


def test_no_alias_list_in_the_registry_text_nor_in_search_results(assistant):
    _, chunks = registry_document()
    assert chunks and not any("常见说法" in c.text for c in chunks)
    assert not any("常见说法" in c.text for c in assistant.index.chunks)
    for query in ("音体美专任教师", "体育艺术教师", "生均教学用房"):
        assert "常见说法" not in docs_view.search_html(assistant, query, 10)


def test_an_alias_still_finds_its_indicator(assistant):
    """The aliases left the text; the registry's alias lookup still lifts the indicator's chunk."""
    hits = assistant.search("体艺教师够不够", 5)
    assert any(h.chunk.indicator == "pe_art_teachers_per100" or "音体美" in h.chunk.text for h in hits)


def test_briefing_display_has_no_doubled_quote_and_says_where_a_figure_is(index):
    registry = default_registry()
    markdown = briefing.briefing_markdown(briefing.build_briefing(index, registry))
    assert "““" in markdown  # the table as briefing.py writes it
    shown = docs_view.briefing_display(markdown, registry)
    assert "““" not in shown and "「“一校一策”推动" in shown
    row = next(line for line in shown.splitlines() if line.startswith("| ") and "生均教学及辅助用房面积 |" in line)
    assert "此条未写具体数值" in row and "4.5平方米" in row
    quoted = next(line for line in shown.splitlines() if "5.3人以上" in line)
    assert "此条未写具体数值" not in quoted  # a clause that states its figure is left as it is


# ---------------------------------------------------------------- 状态 (issue 12)

def test_the_document_list_gives_each_documents_date_and_status(multidoc_index):
    html = docs_view.documents_html(multidoc_index)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td[^>]*>(.*?)</td></tr>", html)
    assert rows == [
        ("《汶河区2024方案》", "汶政办字〔2024〕23号", "2024-10-15", "现行有效"),
        ("《曲阜市优质均衡实施方案》", "曲政办字〔2024〕17号", "2024-09-03", "现行有效"),
        ("《优质均衡评估办法示例》", "教督示字〔2024〕9号（示例）", "2024-03-01", "现行有效"),
        ("《汶河区2023方案》", "汶政办字〔2023〕31号", "2023-06-12", "被替代（被《汶河区2024方案》替代），有效期至2024-10-14"),
    ]
    assert "<th>印发日期</th><th>状态</th>" in html and "indicator-registry" not in html


def test_status_says_repealed_and_the_tree_shows_date_and_status(multidoc_index):
    from dataclasses import replace

    old = multidoc_index.profiles["wenhe-2023-31-plan"]
    assert docs_view.document_status(replace(old, status="已废止", superseded_by="", valid_until=""), {}) == "已废止"
    assert docs_view.document_status(replace(old, superseded_by="gone"), {}) == "被替代，有效期至2024-10-14"
    tree = docs_view.tree_html(briefing.document_tree(multidoc_index), multidoc_index.profiles)
    assert "印发日期：2023-06-12 状态：被替代（被《汶河区2024方案》替代），有效期至2024-10-14" in tree
    assert "印发日期：2024-09-03 状态：现行有效" in tree

from assistant.answer.grounding import answer_body, numbers_in, ungrounded_numbers
from assistant.models import Citation


def cite(quote: str) -> Citation:
    return Citation("d", "t", "二（二）1", ["二"], quote, 0, len(quote), True)


QUOTE = cite("其中每百名学生拥有音体美专任教师数，小学、初中均达到0.9人以上")


def test_numbers_from_quotes_pass():
    assert ungrounded_numbers("小学、初中每百名学生音体美专任教师均不少于0.9人。[1]", [QUOTE], []) == []


def test_invented_number_fails():
    assert ungrounded_numbers("小学每百名学生音体美专任教师应达到1.2人。[1]", [QUOTE], []) == ["1.2"]


def test_equal_figures_written_differently_pass():
    assert ungrounded_numbers("标准为0.90人", [QUOTE], []) == []


def test_calculator_output_grounds_its_numbers():
    answer = "每百名学生 0.82 人，还差 1 人"
    assert ungrounded_numbers(answer, [QUOTE], []) == ["0.82", "1"]
    assert ungrounded_numbers(answer, [QUOTE], ["{'value': '0.82', 'gap': 1}"]) == []


def test_sources_list_markers_and_labels_are_not_claims():
    answer = "1. “小学、初中均达到0.9人以上”[1]\n方案二（二）1规定\n\n**来源**\n[1] 二（二）1：2024"
    assert ungrounded_numbers(answer, [QUOTE], [], labels=["二（二）1"]) == []
    assert "2024" not in answer_body(answer)


def test_numbers_in_reads_thousands_and_decimals():
    assert numbers_in("8,000元和93.5%以及2025年") == ["8000", "93.5", "2025"]


def test_a_cited_documents_name_and_number_are_not_figures():
    quote = "建立义务教育经费稳定增长机制。"
    c = Citation("d", "t", "附件 二（七）区财政局", ["附件"], quote, 0, len(quote), True,
                 short_title="汶河区2024方案", doc_number="汶政办字〔2024〕23号")
    assert ungrounded_numbers("根据《汶河区2024方案》（汶政办字〔2024〕23号）附件：“建立……”[1]", [c], []) == []
    assert ungrounded_numbers("经费不低于9000元", [c], []) == ["9000"]


def test_weighted_overlap_lets_the_rare_word_decide():
    from assistant.answer.text import overlap
    tokens = ["优质均衡", "评估", "程序"]
    weight = {"优质均衡": 1.0, "评估": 1.0, "程序": 9.0}.get
    common, rare = "优质均衡评估认定", "评估认定的程序"
    assert overlap(tokens, common) > overlap(tokens, rare)  # plain: more characters met
    assert overlap(tokens, rare, weight) > overlap(tokens, common, weight)  # weighted: the rare one wins

"""The functions behind each tab of the web app, against the real index (no browser)."""
from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest

from assistant.answer.examples import INDICATOR_EXAMPLES, empty_message, example_questions, suggestions
from assistant.domain.indicators import SUMMARY_LABEL
from assistant.domain.units import unit_names
from assistant.settings import REPO_ROOT, Settings
from assistant.ui import app as ui_app
from assistant.ui import calc_view, chat, docs_view, export, feedback, files, shell, unit_view, viewer
from assistant.ui.text import blockquote, inert, safe_markdown

SAMPLE = REPO_ROOT / "eval" / "sample_schools.csv"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def upload_dir(tmp_path, monkeypatch) -> Path:
    """gradio's upload folder, redirected to a temp dir (gradio reads GRADIO_TEMP_DIR on each call)."""
    folder = tmp_path / "gradio-uploads"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    return folder


def uploaded(upload_dir: Path, name: str, data: bytes) -> Path:
    """A file where gradio would put an upload: <upload folder>/<hash>/<original name>."""
    target = upload_dir / "0123abcd" / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(data)
    return target


# ---------------------------------------------------------------- inert text

def test_user_text_cannot_become_markup():
    for text in (SCRIPT, "<img src=x onerror=alert(1)>", "![x](http://example.com/x.png)", "[a](javascript:alert(1))"):
        out = inert(text)
        assert "<" not in out and ">" not in out
        assert "](" not in out and "![" not in out
    assert inert("a*b*_c_") == r"a\*b\*\_c\_"
    assert safe_markdown("**粗体** <b>x</b>") == "**粗体** &lt;b&gt;x&lt;/b&gt;"
    assert blockquote("第一行\n\n第二行") == "> 第一行\n>\n> 第二行"


# ---------------------------------------------------------------- 问答

def ask(assistant, question, saved=None):
    """(chat messages, stored conversation) after one more question."""
    box, messages, saved, _ = chat.respond(assistant, question, saved or {"turns": []}, assistant.index.docs)
    assert box == ""
    return messages, saved


def sources_of(messages):
    return [m for m in messages if m.get("metadata", {}).get("title", "").startswith("来源[")]


def test_chat_answer_has_collapsible_verbatim_sources(assistant):
    messages, saved = ask(assistant, "市财政局负责什么？")
    assert [t["question"] for t in saved["turns"]] == ["市财政局负责什么？"]
    assert messages[0] == {"role": "user", "content": "市财政局负责什么？"}
    body = messages[1]["content"]
    assert "**来源**" not in body  # the source list moved into the collapsible messages
    sources = sources_of(messages)
    assert sources and all(m["metadata"]["status"] == "done" for m in sources)
    first = sources[0]
    assert first["metadata"]["title"] == "来源[1] 附件 二（九）市财政局"
    assert "经费保障机制" in first["content"] and "曲政办字〔2024〕17号" in first["content"]


def test_every_citation_mark_is_a_button_to_its_exact_passage(assistant):
    for question in ("市财政局负责什么？", "这个方案是什么文件？", "每百名学生音体美专任教师要达到多少？"):
        answer = assistant.ask(question)
        body = chat.answer_messages(answer, assistant.index.docs)[0]["content"]
        refs = re.findall(r'<button type="button" class="cite-ref" value="([^"]+)"[^>]*>\[(\d+)\]</button>', body)
        assert refs and "\\[" not in body, body  # no [n] left as text
        for ref, number in refs:
            citation = answer.citations[int(number) - 1]
            assert html.unescape(ref) == chat.citation_ref(citation)
            found = viewer.passage(assistant.index, html.unescape(ref))
            assert found["quote"] == citation.quote  # the highlight is the quote, by offsets
            page = viewer.passage_html(assistant.index, html.unescape(ref))
            assert f'<mark id="cite-mark">{html.escape(citation.quote)}</mark>' in page


def test_the_viewer_shows_number_date_and_section(assistant):
    citation = assistant.ask("市财政局负责什么？").citations[0]
    page = viewer.passage_html(assistant.index, chat.citation_ref(citation) + "|1700000000")
    assert "曲政办字〔2024〕17号" in page and "2024-09-03" in page
    assert "附件 › 二、工作专班工作职责 › （九）市财政局" in page
    assert "（十）市自然资源和规划局" in page  # the text around the passage


@pytest.mark.parametrize("ref", ["", "garbage", "nope:1:2", "qufu-2024-17-plan:5:5", "qufu-2024-17-plan:0:99999999",
                                 "qufu-2024-17-plan:-1:4", f"{SCRIPT}:1:2"])
def test_the_viewer_refuses_a_reference_it_cannot_verify(assistant, ref):
    assert viewer.passage(assistant.index, ref) is None
    assert viewer.NOT_FOUND in viewer.passage_html(assistant.index, ref)


def test_a_mark_without_a_citation_stays_text():
    from assistant.models import Answer

    answer = Answer("q", "见[1]和[3]", "general", [])
    assert "cite-ref" not in chat.answer_messages(answer)[0]["content"]


def test_copy_text_is_clean_and_carries_numbered_sources(assistant):
    answer = assistant.ask("我们小学有学生850人，音体美专任教师7人，达标吗？")
    text = chat.plain_text(answer, assistant.index.docs)
    assert "0.82 < 0.9" in text and "\\" not in text and "&lt;" not in text and "**" not in text
    assert "\n来源：\n[1] 《曲阜市创建全国义务教育优质均衡发展市工作实施方案》（曲政办字〔2024〕17号，2024-09-03）" in text
    assert "二、主要任务 › （二）强化教师队伍管理 › 1. 优化教师队伍结构" in text
    assert "常见说法" not in text and "check_resource_indicator" not in text


def test_follow_up_uses_the_earlier_questions(assistant):
    messages, saved = ask(assistant, "市财政局负责什么？")
    messages, saved = ask(assistant, "那交通运输局呢？", saved)
    assert [t["question"] for t in saved["turns"]] == ["市财政局负责什么？", "那交通运输局呢？"]
    titles = [m["metadata"]["title"] for m in messages if m.get("metadata")]
    assert any("市交通运输局" in t for t in titles)


@pytest.mark.parametrize("previous", ["专班组长是谁？", "我们小学有学生850人，音体美专任教师7人，达标吗？"])
def test_example_questions_after_another_turn_stand_on_their_own(assistant, previous):
    """The example buttons send complete questions: each is answered as if asked first."""
    messages, saved = ask(assistant, previous)
    for question in (q for questions in example_questions(assistant.index).values() for q in questions if q != previous):
        after, _ = ask(assistant, question, saved)
        alone, _ = ask(assistant, question)
        assert after[len(messages):] == alone, question


def test_examples_and_the_placeholder_come_from_the_home_plan(index, multidoc_index, multidoc_settings):
    """曲阜's index shows 曲阜's units; a county indexing its own plan (home region 汶河区) sees its own."""
    from dataclasses import replace

    assert example_questions(index) == {
        "单位职责": ["市政府办公室负责什么？", "学校周边网吧归谁管？", "市人力资源和社会保障局的职责有哪些？"],
        "指标查询": INDICATOR_EXAMPLES,
        "新成员入门": ["这个方案是什么文件？", "专班组长是谁？", "专班办公室设在哪里？"]}
    county = replace(multidoc_index, settings=multidoc_settings.with_(home_region="汶河区"))
    shown = example_questions(county)
    assert shown["单位职责"][0] == "区政府办公室负责什么？" and shown["单位职责"][2] == "区委编办的职责有哪些？"
    assert chat.question_placeholder(county) == "请输入问题，例如：区政府办公室负责什么？"
    assert not any("市" in q for q in shown["单位职责"])
    # an empty question and a refusal suggest the county's own units too
    assert "区政府办公室负责什么" in empty_message(county) and "区政府办公室负责什么" in suggestions(county)


def test_the_superseded_switch_goes_with_the_question(multidoc_index, multidoc_settings):
    from assistant.answer.service import Assistant

    assistant = Assistant(multidoc_index, multidoc_settings)
    question = "汶河区2023年方案里的工作目标是什么"
    for switch, doc, said in ((False, "wenhe-2024-23-plan", "您问到的《汶河区2023方案》已被《汶河区2024方案》替代"),
                              (True, "wenhe-2023-31-plan", "该文件已被《汶河区2024方案》替代")):
        _, messages, saved, _ = chat.respond(assistant, question, {"turns": []}, multidoc_index.docs, switch)
        answer = chat.turn_answer(saved["turns"][0])
        assert {c.doc_id for c in answer.citations} == {doc} and said in answer.answer
        assert answer.answer == assistant.ask(question, include_superseded=switch).answer


def test_script_in_a_question_is_shown_as_text(assistant):
    messages, _ = ask(assistant, SCRIPT)
    assert all("<script" not in m["content"] for m in messages)
    assert "&lt;script&gt;" in messages[0]["content"]


def test_empty_question_adds_nothing(assistant):
    _, saved = ask(assistant, "市财政局负责什么？")
    box, messages, after, copy = chat.respond(assistant, "   ", saved)
    assert box == "" and after["turns"] == saved["turns"] and len(json.loads(copy)) == 1


def test_calculation_shows_its_steps_once_and_internals_only_in_technical_details(assistant):
    messages, _ = ask(assistant, "我们小学有学生850人，音体美专任教师7人，达标吗？")
    assert sum(m["content"].count("7 ÷ 850 × 100") for m in messages) == 1
    assert not any(m.get("metadata", {}).get("title", "").startswith("计算步骤") for m in messages)
    tech = [m for m in messages if m.get("metadata", {}).get("title") == chat.TECH_TITLE]
    assert len(tech) == 1 and tech[0]["metadata"]["status"] == "done"  # collapsed
    assert "check" in tech[0]["content"] and '"indicator": "pe_art_teachers_per100"' in tech[0]["content"]
    for m in messages:
        if m is not tech[0]:
            assert "check_resource_indicator" not in m["content"].replace("\\", "")
            assert '"indicator"' not in m["content"]
    summaries = [m for m in messages if SUMMARY_LABEL in m["content"] and m.get("metadata")]
    assert summaries and all(m["metadata"]["title"].startswith("来源[") for m in summaries)
    assert all("常见说法" not in m["content"] for m in messages)


def test_steps_the_answer_lacks_are_added_to_it_once():
    from assistant.models import Answer, ToolCall

    call = ToolCall("check_resource_indicator", {"students": 850}, {"steps": ["7 ÷ 850 × 100 ≈ 0.82人"]})
    messages = chat.answer_messages(Answer("q", "未达标。", "calculation", [], [call]))
    assert messages[0]["content"].count("0.82人") == 1 and "计算过程" in messages[0]["content"]
    assert "0.82人" not in messages[1]["content"]


def test_suggestions_are_chips_under_the_answer_and_nothing_without_them(assistant):
    answer = assistant.ask("每百名学生音体美专任教师要达到多少？")
    answer.suggestions = ["初中呢？", "我们学校850人，7名音体美教师，达标吗？", "谁负责配齐音体美教师？", "第四条"]
    messages = chat.answer_messages(answer)
    assert messages[-1]["options"] == [{"value": s, "label": s} for s in answer.suggestions[:3]]
    assert all("options" not in m for m in messages[:-1])
    answer.suggestions = []
    assert all("options" not in m for m in chat.answer_messages(answer))


def test_a_suggestion_chip_survives_the_stored_conversation(assistant):
    class WithSuggestions:
        def ask(self, question, history=None):
            answer = assistant.ask(question, history)
            answer.suggestions = ["那交通运输局呢？"]
            return answer

    _, messages, saved, _ = chat.respond(WithSuggestions(), "市财政局负责什么？", {"turns": []})
    assert messages[-1]["options"] == [{"value": "那交通运输局呢？", "label": "那交通运输局呢？"}]
    assert chat.chat_messages(chat.turns_of(json.loads(json.dumps(saved)))) == messages


def test_the_stored_conversation_draws_the_same_chat_and_drops_what_is_not_a_turn(assistant):
    messages, saved = ask(assistant, "市财政局负责什么？")
    messages, saved = ask(assistant, "我们小学有学生850人，音体美专任教师7人，达标吗？", saved)
    stored = json.loads(json.dumps(saved))  # as the browser keeps it
    assert chat.chat_messages(chat.turns_of(stored), assistant.index.docs) == messages
    forged = {"turns": [*stored["turns"], {"id": "x"}, "junk", {"id": "y", "question": "q", "answer": {"bad": 1}}]}
    assert chat.turns_of(forged) == stored["turns"]
    assert chat.turns_of("not a conversation") == [] and chat.turns_of(None) == []
    turn = chat.turn_at(stored["turns"], len(messages) - 1)
    assert turn["question"] == "我们小学有学生850人，音体美专任教师7人，达标吗？"
    assert chat.turn_at(stored["turns"], 1)["question"] == "市财政局负责什么？"
    assert chat.turn_at(stored["turns"], 999) is None
    copy = json.loads(chat.copy_texts(stored["turns"], assistant.index.docs))
    assert [q for q, _ in copy] == ["市财政局负责什么？", "我们小学有学生850人，音体美专任教师7人，达标吗？"]


def test_a_streaming_answerer_shows_its_text_then_the_verified_answer(assistant):
    class Streaming:
        def stream(self, question, history=None):
            yield "市财政局"
            yield "负责……"
            yield assistant.ask(question, history)

    steps = list(chat.respond_stream(Streaming(), "市财政局负责什么？", {"turns": []}, assistant.index.docs))
    assert [s[1][-1]["content"] for s in steps[:2]] == ["市财政局", "市财政局负责……"]
    assert all(s[2] == {"turns": []} for s in steps[:2])  # nothing stored until the answer is final
    _, messages, saved, _ = steps[-1]
    assert len(saved["turns"]) == 1 and sources_of(messages)


def test_a_failing_ask_shows_a_sentence_not_a_traceback():
    class Broken:
        def ask(self, question, history=None):
            raise RuntimeError("boom")

    _, messages, saved, copy = chat.respond(Broken(), "市财政局负责什么？", {"turns": []})
    assert messages[-1]["content"] == chat.ERROR_MESSAGE
    assert [t["question"] for t in saved["turns"]] == ["市财政局负责什么？"]
    assert json.loads(copy) == [["市财政局负责什么？", chat.ERROR_MESSAGE]]


def test_ask_api_returns_the_answer_as_json(assistant):
    data = chat.ask_api(assistant, "那交通运输局呢？", ["市财政局负责什么？"])
    assert data["intent"] and any("市交通运输局" in c["label"] for c in data["citations"])


# ---------------------------------------------------------------- feedback and export

def test_feedback_rows_ratings_reasons_filter_and_csv(tmp_path):
    store = feedback.FeedbackStore(tmp_path / "sub" / "feedback.sqlite3")
    cites = [{"label": "附件 二（九）市财政局", "quote": "完善义务教育经费保障机制"}]
    store.rate("t1", "up", question="市财政局负责什么？", answer="答", intent="duty", citations=cites)
    store.rate("t2", "down", question="专班组长是谁？", answer="答2", intent="who", history=["市财政局负责什么？"])
    assert store.explain("t2", "引用不对", "  应引用名单  ")
    assert not store.explain("missing", "其他", "")
    rows = store.rows()
    assert [r["turn_id"] for r in rows] == ["t2", "t1"]  # newest first
    assert (rows[0]["rating"], rows[0]["reason"], rows[0]["comment"]) == ("down", "引用不对", "应引用名单")
    assert json.loads(rows[1]["citations"]) == cites and rows[1]["time"]
    assert [r["turn_id"] for r in store.rows(only_down=True)] == ["t2"]
    path = store.write_csv(tmp_path / "f.csv", only_down=True)
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith(",".join(feedback.CSV_HEADER)) and "👎" in text and "👍" not in text
    store.rate("t2", "up", question="专班组长是谁？", answer="答2")  # changed its mind
    changed = next(r for r in store.rows() if r["turn_id"] == "t2")
    assert (changed["rating"], changed["reason"], changed["comment"]) == ("up", "", "")
    store.withdraw("t1")
    assert [r["turn_id"] for r in store.rows()] == ["t2"]
    assert feedback.table_rows(store.rows())[0][1] == "👍"
    with pytest.raises(ValueError):
        store.rate("t3", "meh", question="q", answer="a")


def test_feedback_db_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("ASSISTANT_FEEDBACK_DB", raising=False)
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "idx"))
    assert Settings.from_env().feedback_path == tmp_path / "idx" / "feedback.sqlite3"
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(tmp_path / "fb.db"))
    assert Settings.from_env().feedback_path == tmp_path / "fb.db"
    assert Settings().feedback_path == Settings().index_dir / "feedback.sqlite3"


def test_conversation_exports_as_markdown_and_docx(assistant, tmp_path):
    import docx

    _, saved = ask(assistant, "市财政局负责什么？")
    _, saved = ask(assistant, "我们小学有学生850人，音体美专任教师7人，达标吗？", saved)
    md, word = export.write_exports(saved["turns"], assistant.index.docs, tmp_path)
    text = md.read_text(encoding="utf-8")
    assert "## 1. 市财政局负责什么？" in text and "## 2. 我们小学有学生850人" in text
    assert ("- [1] 《曲阜市创建全国义务教育优质均衡发展市工作实施方案》（曲政办字〔2024〕17号，2024-09-03） "
            "附件 › 二、工作专班工作职责 › （九）市财政局：“完善义务教育经费保障机制") in text
    assert "\\" not in text and "&lt;" not in text and "<button" not in text
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert "2. 我们小学有学生850人，音体美专任教师7人，达标吗？" in paragraphs
    assert any(p.startswith("[1] 《曲阜市创建全国义务教育优质均衡发展市工作实施方案》（曲政办字〔2024〕17号") for p in paragraphs)
    assert any("未达标" in p for p in paragraphs) and not any("**" in p for p in paragraphs)
    assert export.write_exports([], assistant.index.docs, tmp_path) is None


# ---------------------------------------------------------------- the shell in Chinese

def test_the_page_is_chinese_whatever_the_browser_says(assistant):
    from fastapi.testclient import TestClient

    page = shell.with_locale(b'<!doctype html>\n<html\n\tlang="en"\n><head><meta charset="utf-8" /></head></html>')
    assert page.index(shell.FORCE_LOCALE_SCRIPT.encode()) == page.index(b"<head>") + len(b"<head>")
    assert b'lang="zh-CN"' in page and shell.with_locale(page) == page
    with TestClient(ui_app.build_server(assistant)) as client:
        served = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9", "Accept-Encoding": "br, gzip"})
        assert served.status_code == 200 and shell.FORCE_LOCALE_SCRIPT in served.text
        assert int(served.headers["content-length"]) == len(served.content)
        assert client.head("/").status_code == 200
        assert shell.FORCE_LOCALE_SCRIPT not in client.get("/docs").text  # only the web app's page


# ---------------------------------------------------------------- 我的单位

@pytest.mark.parametrize("unit", unit_names())
def test_every_unit_has_a_view(assistant, index, unit):
    view = unit_view.unit_view(assistant, unit)
    assert view is not None and view.duties
    text = index.docs["qufu-2024-17-plan"].text
    assert all(d in text for d in view.duties)
    assert view.sheet.startswith(f"# {unit}")


def test_police_view_and_duty_sheet_download(assistant, tmp_path):
    view = unit_view.unit_view(assistant, "市公安局")
    assert any("平安校园" in d for d in view.duties)
    assert "曾宪芳" in view.details
    path = unit_view.write_sheet(view, "市公安局", tmp_path)
    assert path.parent.parent == tmp_path and path.name == "市公安局职责清单.md"
    assert path.read_text(encoding="utf-8") == view.sheet
    assert unit_view.unit_view(assistant, "") is None
    assert unit_view.unit_view(assistant, "不存在的单位") is None
    assert "/" not in unit_view.sheet_filename("../etc/passwd")


# ---------------------------------------------------------------- 指标测算

def test_sample_csv_gives_table_chart_cv_and_reports(tmp_path):
    result = calc_view.evaluate_bytes(SAMPLE.read_bytes(), "sample_schools.csv", tmp_path)
    assert result.ok, result.status
    md = result.markdown
    assert "示例小学A（虚构）" in md and "✅" in md and "❌" in md
    assert "差异系数" in md and "≤0.50" in md and "≤0.45" in md
    assert "至少6项达标" in md and "85%" in md
    assert result.report is not None  # the chart is drawn from it (tests/test_charts.py)
    assert result.csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    assert result.xlsx_path.stat().st_size > 0


def test_edited_table_uses_the_same_validation(tmp_path):
    frame = calc_view.sample_frame()
    assert list(frame.columns) == calc_view.HEADERS and len(frame) == 9
    same = calc_view.evaluate_frame(frame, tmp_path)
    from_file = calc_view.evaluate_bytes(SAMPLE.read_bytes(), "sample_schools.csv", tmp_path)
    assert same.markdown == from_file.markdown
    frame.loc[1, "学段"] = "高中"
    bad = calc_view.evaluate_frame(frame, tmp_path)
    assert not bad.ok and bad.status.startswith("❌") and "第3行" in bad.status and "学段" in bad.status
    frame.loc[1, "学段"] = None
    assert "为空" in calc_view.evaluate_frame(frame, tmp_path).status


@pytest.mark.parametrize("name,data,words", [
    ("empty.csv", b"", "文件为空"),
    ("scan.csv", b"%PDF-1.4 binary", "不是 CSV 或 XLSX"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "不是有效的 XLSX"),
    ("headers.csv", "学校名称,学段\n甲,小学\n".encode(), "缺少必需的列"),
])
def test_bad_files_give_a_readable_message(tmp_path, name, data, words):
    result = calc_view.evaluate_bytes(data, name, tmp_path)
    assert not result.ok and result.status.startswith("❌") and words in result.status
    assert result.report is None and result.csv_path is None


def test_upload_is_read_then_removed(tmp_path, upload_dir):
    path = uploaded(upload_dir, "schools.csv", SAMPLE.read_bytes())
    result = calc_view.evaluate_upload(str(path), 5, tmp_path)
    assert result.ok and len(result.rows) == 9
    assert not path.exists() and not path.parent.exists()


def test_upload_type_and_size_are_enforced(tmp_path, upload_dir):
    wrong = uploaded(upload_dir, "schools.pdf", b"%PDF-1.4")
    result = calc_view.evaluate_upload(str(wrong), 5, tmp_path)
    assert not result.ok and "类型不支持" in result.status and not wrong.exists()
    big = uploaded(upload_dir, "big.csv", b"0" * (1024 * 1024 + 1))
    result = calc_view.evaluate_upload(str(big), 1, tmp_path)
    assert not result.ok and "上限为 1 MB" in result.status and not big.exists()
    assert "请先选择" in calc_view.evaluate_upload(None, 5, tmp_path).status


def test_a_path_outside_the_upload_folder_is_never_read(tmp_path, upload_dir):
    outside = tmp_path / "secret.csv"
    outside.write_bytes(SAMPLE.read_bytes())
    result = calc_view.evaluate_upload(str(outside), 5, tmp_path)
    assert not result.ok and "只能读取" in result.status
    assert outside.exists()  # neither read nor deleted
    sneaky = upload_dir / ".." / "secret.csv"
    assert not files.in_upload_folder(sneaky)


def test_target_forms():
    rotation = calc_view.rotation_form(200, 15, 2)
    assert "未达标" in rotation and "计算过程" in rotation and "10%" in rotation
    assert "标准依据" in rotation
    assert "达标" in calc_view.rotation_form(200, 20, 4)
    training = calc_view.training_form(1_000_000, None)
    assert "50000" in training and "至少" in training
    assert "达标" in calc_view.training_form(1_000_000, 60_000)
    admission = calc_view.admission_form("初中", 95, 100)
    assert "达标" in admission and "95%" in admission
    assert "未达标" in calc_view.admission_form("小学", 95, 100)


def test_target_forms_explain_bad_input():
    assert calc_view.rotation_form(None, 5).startswith("❌")
    assert "骨干教师数不能多于" in calc_view.rotation_form(100, 10, 20)
    assert calc_view.training_form(None).startswith("❌")
    assert calc_view.admission_form("城区", 1, 2).startswith("❌")  # a 学段 is asked for
    assert calc_view.admission_form("小学", 5, 0).startswith("❌")


# ---------------------------------------------------------------- 文件

def test_tree_html_escapes_everything(index):
    from assistant.answer.briefing import DocTree, TreeNode
    from assistant.models import Chunk, SourceDocument

    doc = SourceDocument("d", SCRIPT, SCRIPT, "p", "h", kind="summary")
    chunk = Chunk("d:0", "d", SCRIPT, (SCRIPT,), SCRIPT, SCRIPT, 0, len(SCRIPT))
    html = docs_view.tree_html([DocTree(doc, [TreeNode(SCRIPT, (SCRIPT,), [chunk])])])
    assert "<script" not in html and SUMMARY_LABEL in html


def test_tree_html_shows_the_corpus(index):
    from assistant.answer.briefing import document_tree

    html = docs_view.tree_html(document_tree(index))
    assert "二、主要任务" in html and "（九）市财政局" in html and "经费保障机制" in html


def test_search_uses_the_hybrid_retriever(assistant):
    text = docs_view.search_html(assistant, "交流轮岗", 5)
    assert "二（二）1" in text and "相关度" in text
    assert docs_view.NO_QUERY in docs_view.search_html(assistant, "  ")
    assert "<script" not in docs_view.search_html(assistant, SCRIPT)


def test_indicator_list_carries_the_summary_label():
    from assistant.answer.briefing import indicator_rows
    from assistant.domain.indicators import default_registry

    text = docs_view.indicators_markdown(indicator_rows(default_registry()))
    assert f"（{SUMMARY_LABEL}）" in text and "（原文）" in text


# ---------------------------------------------------------------- security and start-up

@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False), ("", False),
])
def test_is_loopback(host, loopback):
    assert ui_app.is_loopback(host) is loopback


def test_launch_rules():
    assert ui_app.launch_problem(Settings()) is None
    open_to_all = Settings(host="0.0.0.0")
    assert "ASSISTANT_AUTH_USER" in ui_app.launch_problem(open_to_all)
    assert ui_app.launch_problem(open_to_all.with_(auth_user="u", auth_password="p")) is None
    assert "同时设置" in ui_app.launch_problem(Settings(auth_user="u"))
    options = ui_app.launch_options(open_to_all.with_(auth_user="u", auth_password="p", max_upload_mb=3))
    assert "share" not in options and options["auth"] == ("u", "p") and options["server_name"] == "0.0.0.0"
    assert options["max_file_size"] == 3 * 1024 * 1024
    assert ui_app.launch_options(Settings())["auth"] is None


def test_main_refuses_an_open_address_without_login(monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_HOST", "0.0.0.0")
    monkeypatch.delenv("ASSISTANT_AUTH_USER", raising=False)
    monkeypatch.delenv("ASSISTANT_AUTH_PASSWORD", raising=False)
    assert ui_app.main() == 2
    assert "拒绝启动" in capsys.readouterr().err


def test_main_reports_a_missing_index(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("ASSISTANT_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "none"))
    assert ui_app.main() == 1
    err = capsys.readouterr().err
    assert "索引不存在或已损坏，请运行 make index" in err and "Traceback" not in err


def test_app_serves_the_ask_api(assistant):
    """build_app in-process: five tabs, and /ask answers through gradio's own client."""
    from gradio_client import Client

    from assistant.ui.screenshots import free_port

    app = ui_app.build_app(assistant)
    labels = [b.label for b in app.blocks.values() if type(b).__name__ == "Tab"]
    assert labels == ["问答", "我的单位", "指标测算", "文件", "新成员入门", "文件管理", "反馈"]
    port = free_port()
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                       share=False, ssr_mode=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        data = client.predict("市财政局负责什么？", [], api_name="/ask")
        assert any("经费保障机制" in c["quote"] for c in data["citations"])
    finally:
        app.close()
    assert os.environ.get("GRADIO_ANALYTICS_ENABLED") == "False"


@pytest.mark.slow
def test_login_is_required_when_configured(built_settings):
    """The real app in a subprocess with a login: nothing is served before it."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from assistant.ui.screenshots import serve

    env = {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_AUTH_USER": "staff",
           "ASSISTANT_AUTH_PASSWORD": "s3cret"}
    with serve(env) as url:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "config", timeout=10)
        assert refused.value.code == 401

        def login(password: str) -> int:
            data = urllib.parse.urlencode({"username": "staff", "password": password}).encode()
            try:
                return urllib.request.urlopen(url + "login", data=data, timeout=10).status
            except urllib.error.HTTPError as exc:
                return exc.code

        assert login("wrong") == 400
        assert login("s3cret") == 200


def test_download_folders_are_fresh_and_old_ones_pruned(tmp_path):
    first = files.fresh_dir(tmp_path)
    second = files.fresh_dir(tmp_path)
    assert first != second and first.parent == tmp_path
    os.utime(first, (0, 0))  # pretend it is old
    files.fresh_dir(tmp_path)
    assert not first.exists() and second.exists()

"""Document profiles derived from structure, with the sidecar overriding; unit tables per document.

The small documents below are written here and are fictional (虚构); the plan is the real one.
"""
from __future__ import annotations

import json
from datetime import date

from assistant.domain.units import match_units, units_in
from assistant.ingest.chunker import chunk_document, document_units
from assistant.ingest.doc_units import core_name, generated_aliases
from assistant.ingest.loaders import load_corpus, load_document
from assistant.ingest.profile import build_profile, chunk_and_profile, region_of
from assistant.models import DocumentProfile
from assistant.retrieve.scope import validity_note
from tests.fictional_docs import COUNTY_META, COUNTY_PLAN

# 虚构：a rule in 第X章/第X条 form.
RULE = """示例规定（虚构）
第一章　总则
第一条　为规范督导评估，制定本规定。
第二章　资源配置
第二条　小学生均教学仪器设备值2000元以上。
"""


def write(folder, name, text, meta=None):
    (folder / name).write_text(text, encoding="utf-8")
    if meta is not None:
        (folder / (name.rsplit(".", 1)[0] + ".meta.json")).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return folder / name


def test_plan_profile_is_derived_from_its_structure(corpus_copy):
    doc, _ = load_document(corpus_copy / "qufu-2024-17-plan.txt")
    chunks, profile = chunk_and_profile(doc)
    assert (profile.kind, profile.region, profile.status, profile.target_year) == ("plan", "曲阜市", "现行有效", "2025")
    assert profile.chunks == len(chunks) and profile.doc_number == "曲政办字〔2024〕17号"
    roles = dict(profile.sections)
    assert roles["goal"] == ("一、工作目标",) and roles["tasks"] == ("二、主要任务",)
    assert roles["safeguards"] == ("三、保障措施",)
    assert profile.paths("organisation") == [("三、保障措施", "（一）加强组织领导")]
    assert roles["roster"] == ("附件", "一、工作专班成员名单") and roles["duty_annex"] == ("附件", "二、工作专班工作职责")
    assert {"header", "preamble", "annex_note"} <= set(roles)
    assert len(profile.units) == 21 and profile.units[8].name == "市财政局"
    # The hand-written colloquial names still belong to 曲阜市's units (the table names its region).
    assert "市府办" in profile.units[0].aliases and "尼山镇" in profile.units[20].aliases


def test_older_sidecar_without_kind_or_region_still_works(corpus_copy):
    meta = json.loads((corpus_copy / "qufu-2024-17-plan.meta.json").read_text(encoding="utf-8"))
    for key in ("kind", "region", "status", "short_title"):
        meta.pop(key)
    meta["kind"] = "official"
    (corpus_copy / "qufu-2024-17-plan.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    doc, _ = load_document(corpus_copy / "qufu-2024-17-plan.txt")
    _, profile = chunk_and_profile(doc)
    assert (profile.kind, profile.region, profile.status) == ("plan", "曲阜市", "现行有效")
    assert profile.short_title == profile.title and doc.verbatim


def test_second_county_units_come_from_its_own_annex_with_generated_aliases(tmp_path):
    doc, _ = load_document(write(tmp_path, "sihe.txt", COUNTY_PLAN, COUNTY_META))
    chunks, profile = chunk_and_profile(doc)
    assert (profile.kind, profile.region, profile.target_year, profile.fictional) == ("plan", "泗河县", "2027", True)
    assert [u.name for u in profile.units] == ["县财政局", "县发展和改革局", "县交通运输局", "各镇街"]
    finance = profile.units[0]
    assert {"财政局", "财政部门", "泗河县财政局"} <= set(finance.aliases)
    assert {"发改局", "县发改局"} <= set(profile.units[1].aliases)
    # 曲阜市's town names do not leak into another county's 各镇街: its own roster names its towns.
    assert "尼山镇" not in profile.units[3].aliases and "泉林镇" in profile.units[3].aliases
    members = {c.person: c.unit for c in chunks if c.kind == "roster_member"}
    assert members["吴小川"] == "县财政局" and members["钱江"] == "各镇街"
    assert profile.paths("goal") == [("一、总体目标",)] and profile.paths("tasks") == [("二、重点任务",)]


def test_chunker_takes_the_documents_units_not_a_global_table(tmp_path):
    doc, _ = load_document(write(tmp_path, "sihe.txt", COUNTY_PLAN, {"title": "泗河县方案", "issuer": "泗河县人民政府办公室"}))
    chunks = chunk_document(doc)
    assert document_units(doc, chunks)[0].name == "县财政局"
    explicit = chunk_document(doc, ())  # no units given: members carry none
    assert all(c.unit == "" for c in explicit if c.kind == "roster_member")


def test_rule_kind_and_region(tmp_path):
    doc, _ = load_document(write(tmp_path, "rule.txt", RULE, {"title": "示例规定（虚构）", "issuer": "教育部"}))
    chunks, profile = chunk_and_profile(doc)
    assert (profile.kind, profile.region, profile.units) == ("national_rule", "全国", ())
    assert profile.paths("general_provisions") == [("第一章　总则",)]
    assert region_of("山东省教育厅", "") == "山东省" and region_of("", "邹城市某某方案") == "邹城市"


def test_sidecar_overrides_derived_fields(tmp_path):
    doc, _ = load_document(write(tmp_path, "rule.txt", RULE, {"title": "示例规定（虚构）", "issuer": "教育部", "kind": "notice",
                                                              "region": "山东省", "status": "已废止", "valid_until": "2024-01-01"}))
    _, profile = chunk_and_profile(doc)
    assert (profile.kind, profile.region, profile.status, profile.valid_until) == ("notice", "山东省", "已废止", "2024-01-01")
    assert not profile.in_force


def test_profile_round_trips_through_json(corpus_copy):
    doc, _ = load_document(corpus_copy / "qufu-2024-17-plan.txt")
    _, profile = chunk_and_profile(doc)
    assert DocumentProfile.from_dict(json.loads(json.dumps(profile.to_dict(), ensure_ascii=False))) == profile


def test_alias_rules():
    assert core_name("区财政局") == "财政局" and core_name("市委编办") == "编办"
    assert "公安局" in generated_aliases("公安汶河分局", "汶河区") and "公安汶河分部门" not in generated_aliases("公安汶河分局", "汶河区")


def test_matching_prefers_the_longest_alias(corpus_copy):
    doc, _ = load_document(corpus_copy / "qufu-2024-17-plan.txt")
    _, profile = chunk_and_profile(doc)
    assert [u.name for u in units_in(profile.units, "市场监管局和宣传部")] == ["市市场监督管理局", "市委宣传部"]
    assert [(m.start, m.end) for m in match_units(profile.units, "问市财政局")] == [(1, 5)]


def test_validity_notes():
    old = DocumentProfile("old", "旧方案", status="被替代", superseded_by="new")
    new = DocumentProfile("new", "新方案", short_title="新方案简称", target_year="2025")
    assert validity_note(old, date(2026, 1, 1), {"new": new}) == "该文件已被《新方案简称》替代。"
    assert validity_note(new, date(2026, 1, 1)) == "目标年份为2025年。"
    assert validity_note(new, date(2025, 6, 1)) == ""
    expired = DocumentProfile("x", "通知", kind="notice", valid_until="2024-10-14")
    assert validity_note(expired, date(2025, 1, 1)) == "该文件的有效期至2024年10月14日，已经届满。"
    assert validity_note(DocumentProfile("y", "办法", status="已废止"), date(2025, 1, 1)) == "该文件已废止。"


def test_loader_reads_the_new_sidecar_fields(corpus_copy):
    docs, problems = load_corpus(corpus_copy)
    assert problems == [] and docs[0].short_title == "曲阜市优质均衡实施方案"
    assert build_profile(docs[0], [], ()).region == "曲阜市"


def test_an_abbreviation_said_alone_names_the_unit():
    # "汶河人社要干哪些活": 人社 alone is the bureau; 教育 alone is a topic, not 教体局
    aliases = generated_aliases("区人力资源和社会保障局", "汶河区")
    assert "人社" in aliases and "区人社" in aliases
    assert "教育" not in generated_aliases("区教育和体育局", "汶河区") and "教体" in generated_aliases("区教育和体育局", "汶河区")

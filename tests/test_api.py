"""The HTTP API (issue 14) and the web app's guards (issue 16, items 9 and 17), against the real app:
`python app.py` on a free loopback port, called with the official `openai` client, `httpx` and
`gradio_client`. Answers are compared with the library called in-process on the same index."""
from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from assistant.api.guard import RateLimiter, keys_required
from assistant.settings import REPO_ROOT, Settings
from assistant.ui import calc_view
from assistant.ui import screenshots as drive
from assistant.ui.guards import UploadJanitor
from assistant.ui.text import inert

SAMPLE = REPO_ROOT / "eval" / "sample_schools.csv"
PLAN_NUMBER = "曲政办字〔2024〕17号"
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE_KEYS = ("unit", "threshold", "required", "value", "ratio_percent", "gap")
slow = pytest.mark.slow


def http(url: str, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60, trust_env=False, **kwargs)


def assert_chinese_error(response: httpx.Response, status: int, code: str | None = None) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and CJK.search(error["message"]), error
    assert "Traceback" not in response.text
    if code:
        assert error["code"] == code
    return error["message"]


@pytest.fixture(scope="module")
def server(built_settings, tmp_path_factory):
    env = {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_MAX_UPLOAD_MB": "1",
           "GRADIO_TEMP_DIR": str(tmp_path_factory.mktemp("gradio"))}
    with drive.serve(env) as url:
        yield url


@pytest.fixture(scope="module")
def multidoc_server(multidoc_settings, tmp_path_factory):
    """The app over four documents: two regions' plans, one of them with a superseded version."""
    env = {"ASSISTANT_INDEX_DIR": str(multidoc_settings.index_dir),
           "GRADIO_TEMP_DIR": str(tmp_path_factory.mktemp("gradio-multidoc"))}
    with drive.serve(env) as url:
        yield url


@pytest.fixture(scope="module")
def keyed(built_settings, tmp_path_factory):
    """Keys configured (so needed even on loopback), 5 requests a minute, bodies up to 2 KB."""
    uploads = tmp_path_factory.mktemp("gradio-keyed")
    env = {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_API_KEYS": "key-one,key-two",
           "ASSISTANT_API_RATE": "5", "ASSISTANT_MAX_REQUEST_KB": "2", "ASSISTANT_MAX_UPLOAD_MB": "1",
           "GRADIO_TEMP_DIR": str(uploads)}
    with drive.serve(env) as url:
        yield url, uploads


@pytest.fixture(scope="module")
def login_server(built_settings, tmp_path_factory):
    env = {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_AUTH_USER": "staff",
           "ASSISTANT_AUTH_PASSWORD": "s3cret", "GRADIO_TEMP_DIR": str(tmp_path_factory.mktemp("gradio-login"))}
    with drive.serve(env) as url:
        yield url


def openai_client(url: str, key: str = "not-needed-on-loopback"):
    from openai import OpenAI

    return OpenAI(base_url=url + "v1", api_key=key, http_client=httpx.Client(trust_env=False), max_retries=0)


# ---------------------------------------------------------------- OpenAI-compatible chat

@slow
def test_openai_client_gets_the_libraries_answer_with_structured_sources(server, assistant, index):
    question = "市财政局负责什么？"
    reply = openai_client(server).chat.completions.create(
        model="policy-assistant", messages=[{"role": "system", "content": "你是助手"}, {"role": "user", "content": question}])
    content = reply.choices[0].message.content
    assert content == assistant.ask(question).answer  # the library's answer, numbered sources included
    assert "**来源**" in content and "[1]" in content
    details = reply.policy_assistant  # the extra top-level field
    assert details["intent"] == "duty" and details["history_used"] == 0
    assert details["citations"] and [c["number"] for c in details["citations"]] == list(range(1, len(details["citations"]) + 1))
    for c in details["citations"]:
        assert index.docs[c["doc_id"]].text[c["start"]:c["end"]] == c["quote"]
        assert c["doc_number"] == index.docs[c["doc_id"]].doc_number and c["section_path"]
    assert any(c["doc_number"] == PLAN_NUMBER and "经费保障机制" in c["quote"] for c in details["citations"])
    assert reply.usage.completion_tokens == len(content)


@slow
def test_streaming_gives_openai_chunks_that_join_to_the_same_answer(server):
    client = openai_client(server)
    messages = [{"role": "user", "content": "专班组长是谁？"}]
    whole = client.chat.completions.create(model="policy-assistant", messages=messages)
    chunks = list(client.chat.completions.create(model="policy-assistant", messages=messages, stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 3  # line by line, not one blob
    last = [c for c in chunks if c.choices][-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.policy_assistant["citations"] == whole.policy_assistant["citations"]
    assert chunks[-1].usage.completion_tokens == len(text)


@slow
def test_earlier_user_turns_are_the_follow_up_history(server, assistant):
    first, follow = "小学每百名学生音体美专任教师要达到多少？", "那初中呢？"
    messages = [{"role": "user", "content": first}, {"role": "assistant", "content": "（上一轮回答）"},
                {"role": "user", "content": [{"type": "text", "text": follow}]}]
    reply = openai_client(server).chat.completions.create(model="policy-assistant", messages=messages)
    expected = assistant.ask(follow, [first]).answer
    assert reply.choices[0].message.content == expected != assistant.ask(follow).answer
    assert "初中" in expected and reply.policy_assistant["history_used"] == 1


@slow
def test_models_list_and_unknown_models(server):
    from openai import NotFoundError

    client = openai_client(server)
    assert [m.id for m in client.models.list()] == ["policy-assistant"]  # no LLM configured
    for model, words in (("policy-assistant-llm", "生成式模式未配置"), ("gpt-4o", "没有名为")):
        with pytest.raises(NotFoundError) as refused:
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": "市财政局负责什么？"}])
        assert words in refused.value.body["message"]


# ---------------------------------------------------------------- calculator

@slow
def test_a_calculation_through_chat_and_through_calc_school_gives_the_same_figures(server):
    reply = openai_client(server).chat.completions.create(
        model="policy-assistant", messages=[{"role": "user", "content": "我们小学有学生850人，音体美专任教师7人，达标吗？"}])
    details = reply.policy_assistant
    assert details["intent"] == "calculation"
    chat_output = details["tool_calls"][0]["output"]
    with http(server) as client:
        result = client.post("/api/calc/school", json={"level": "小学", "students": 850, "pe_art_teachers": 7}).json()
    (indicator,) = result["indicators"]
    assert indicator["key"] == chat_output["keys"][0] == "pe_art_teachers_per100"
    assert {k: indicator[k] for k in FIGURE_KEYS} == {k: chat_output["numbers"][k] for k in FIGURE_KEYS}
    assert indicator["value"] == "0.82" and indicator["met"] is chat_output["met"] is False
    assert indicator["steps"] == chat_output["steps"]
    assert result["passes"] is None and result["given"] == 1  # the school rule needs all seven


@slow
def test_one_school_through_calc_school_matches_its_row_in_the_table_report(server):
    header, first = SAMPLE.read_text(encoding="utf-8").splitlines()[:2]
    keys = ["school", "level", "students", "teachers_above_degree", "backbone_teachers", "pe_art_teachers",
            "teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms"]
    row = dict(zip(keys, first.split(",")))
    figures = {k: (row[k] if k in ("school", "level") else int(row[k])) for k in keys}
    with http(server) as client:
        one = client.post("/api/calc/school", json=figures).json()
        table = client.post("/api/calc/table", files={"file": ("学校.csv", SAMPLE.read_bytes(), "text/csv")}).json()
    assert table["rows"] == 9 and set(table["levels"]) == {"小学", "初中"}
    listed = next(s for s in table["levels"]["小学"]["schools"] if s["school"] == row["school"])
    assert len(one["indicators"]) == 7 and one["met_count"] == listed["met_count"] and one["passes"] is listed["passes"]
    for indicator in one["indicators"]:
        figures_in_table = listed["indicators"][indicator["key"]]
        assert {k: indicator[k] for k in FIGURE_KEYS} == {k: figures_in_table[k] for k in FIGURE_KEYS}
    county = table["levels"]["小学"]["county"]
    assert county["cv_limit"] == "0.50" and all(item["cv"] for item in county["indicators"].values())


BAD_TABLES = [
    ("列不全.csv", "学校名称,学段\n甲,小学\n".encode()),
    ("非数字.csv", SAMPLE.read_bytes().replace(b",850,", "，约850人,".encode(), 1)),
    ("分号.csv", SAMPLE.read_text(encoding="utf-8").replace(",", ";").encode()),
    ("空.csv", b""),
    ("扫描件.csv", b"%PDF-1.4 binary"),
]


@slow
@pytest.mark.parametrize("name,data", BAD_TABLES, ids=[n for n, _ in BAD_TABLES])
def test_a_bad_table_gives_the_web_apps_chinese_error(server, tmp_path, name, data):
    with http(server) as client:
        message = assert_chinese_error(client.post("/api/calc/table", files={"file": (name, data)}), 422, "invalid_table")
    assert calc_view.evaluate_bytes(data, name, tmp_path).status == f"❌ {inert(message)}"


@slow
def test_table_type_and_size_limits_are_the_web_apps(server, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "uploads"))  # where the web function reads uploads
    big = b"0" * int(1.5 * 1024 * 1024)  # the server runs with ASSISTANT_MAX_UPLOAD_MB=1
    for name, data, status in (("学校.pdf", b"%PDF-1.4", 422), ("学校.csv", big, 413)):
        with http(server) as client:
            message = assert_chinese_error(client.post("/api/calc/table", files={"file": (name, data)}), status)
        upload = tmp_path / "uploads" / "0123abcd" / name
        upload.parent.mkdir(parents=True, exist_ok=True)
        upload.write_bytes(data)
        assert calc_view.evaluate_upload(str(upload), 1, tmp_path).status == f"❌ {inert(message)}"


@slow
def test_the_superseded_switch_rides_in_extra_body(multidoc_server):
    """include_superseded, as an OpenAI client sends it (extra_body), whole and streamed."""
    client = openai_client(multidoc_server)
    messages = [{"role": "user", "content": "汶河区2023年方案里的工作目标是什么"}]
    default = client.chat.completions.create(model="policy-assistant", messages=messages)
    off = client.chat.completions.create(model="policy-assistant", messages=messages,
                                         extra_body={"include_superseded": False})
    assert off.choices[0].message.content == default.choices[0].message.content  # the setting is off
    assert {c["doc_id"] for c in off.policy_assistant["citations"]} == {"wenhe-2024-23-plan"}
    assert "您问到的《汶河区2023方案》已被《汶河区2024方案》替代" in off.choices[0].message.content
    on = client.chat.completions.create(model="policy-assistant", messages=messages,
                                        extra_body={"include_superseded": True})
    cites = on.policy_assistant["citations"]
    assert {c["doc_id"] for c in cites} == {"wenhe-2023-31-plan"} and all(c["status"] == "被替代" for c in cites)
    assert "《汶河区2023方案》" in on.choices[0].message.content
    chunks = list(client.chat.completions.create(model="policy-assistant", messages=messages, stream=True,
                                                 extra_body={"include_superseded": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == on.choices[0].message.content
    with http(multidoc_server) as raw:
        body = {"messages": messages, "include_superseded": "yes"}
        assert "include_superseded" in assert_chinese_error(raw.post("/v1/chat/completions", json=body), 422)


@slow
def test_units_are_listed_and_resolved_per_region(multidoc_server, multidoc_index):
    with http(multidoc_server) as client:
        home = client.get("/api/units").json()
        assert (home["region"], home["doc_id"], len(home["units"])) == ("曲阜市", "qufu-2024-17-plan", 21)
        wenhe = client.get("/api/units", params={"region": "汶河区"}).json()
        assert (wenhe["region"], wenhe["doc_id"], wenhe["plan"]) == ("汶河区", "wenhe-2024-23-plan", "汶河区2024方案")
        assert [u["order"] for u in wenhe["units"]] == list(range(1, 21)) and wenhe["units"][0]["name"] == "区政府办公室"
        finance = client.get("/api/units/财政局", params={"region": "汶河区"}).json()
        assert finance["name"] == "区财政局" and finance["duty"]["doc_number"] == "汶政办字〔2024〕23号"
        text = multidoc_index.docs["wenhe-2024-23-plan"].text
        for quote in [finance["duty"], *finance["duties"], *finance["mentions"], *finance["members"]]:
            assert quote["doc_id"] == "wenhe-2024-23-plan" and text[quote["start"]:quote["end"]] == quote["quote"]
        assert client.get("/api/units/财政局").json()["name"] == "市财政局"  # the home plan's by default
        assert_chinese_error(client.get("/api/units/区数据局"), 404, "unit_not_found")  # 汶河区's, not 曲阜's
        message = assert_chinese_error(client.get("/api/units", params={"region": "邹城市"}), 404, "region_not_found")
        assert "邹城市" in message and "曲阜市、汶河区" in message
        assert_chinese_error(client.get("/api/units/财政局", params={"region": "邹城市"}), 404, "region_not_found")
        documents = {d["doc_id"]: d for d in client.get("/api/documents").json()["documents"]}
        old = documents["wenhe-2023-31-plan"]
        assert (old["status"], old["superseded_by"], old["valid_until"]) == ("被替代", "wenhe-2024-23-plan", "2024-10-14")



# ---------------------------------------------------------------- REST routes

@slow
def test_search_units_and_documents(server, index):
    with http(server) as client:
        hits = client.post("/api/search", json={"query": "交流轮岗", "k": 3}).json()["hits"]
        assert len(hits) == 3 and any("交流轮岗" in h["quote"] for h in hits)
        for h in hits:
            assert index.docs[h["doc_id"]].text[h["start"]:h["end"]] == h["quote"] == index.by_id[h["chunk_id"]].text
        units = client.get("/api/units").json()["units"]
        assert len(units) == 21 and units[8]["name"] == "市财政局" and "财政局" in units[8]["aliases"]
        by_name = client.get("/api/units/市财政局").json()
        for alias in ("财政局", "财政部门", "市财\u200b政局"):  # a zero-width space pasted with the name
            assert client.get(f"/api/units/{alias}").json() == by_name
        assert by_name["duty"]["doc_number"] == PLAN_NUMBER and by_name["members"]
        assert any("经费保障机制" in d["quote"] for d in by_name["duties"])
        for quote in [by_name["duty"], *by_name["duties"], *by_name["mentions"], *by_name["members"]]:
            assert index.docs[quote["doc_id"]].text[quote["start"]:quote["end"]] == quote["quote"]
        assert_chinese_error(client.get("/api/units/天气预报局"), 404, "unit_not_found")
        documents = {d["doc_id"]: d for d in client.get("/api/documents").json()["documents"]}
        assert documents.keys() == index.docs.keys()
        assert documents["qufu-2024-17-plan"]["doc_number"] == PLAN_NUMBER


@slow
def test_the_openapi_page_is_chinese_and_loads_nothing_from_outside(server):
    with http(server) as client:
        schema = client.get("/openapi.json").json()
        page = client.get("/docs").text
    routes = {(m.upper(), p) for p, item in schema["paths"].items() for m in item}
    assert routes == {("POST", "/v1/chat/completions"), ("GET", "/v1/models"), ("POST", "/api/search"),
                      ("GET", "/api/units"), ("GET", "/api/units/{name}"), ("POST", "/api/calc/school"),
                      ("POST", "/api/calc/table"), ("GET", "/api/documents")}
    for item in schema["paths"].values():
        for op in item.values():
            assert CJK.search(op["summary"])
    for name, model in schema["components"]["schemas"].items():  # every field of every request and response
        for field, prop in model.get("properties", {}).items():
            assert CJK.search(prop.get("description", "")) or "$ref" in prop, (name, field)
    assert "/v1/chat/completions" in page and "对话问答" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN: scripts, styles, fonts


NON_STRING = [
    ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": 123}]}),
    ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": {"text": "问"}}]}),
    ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}),
    ("post", "/v1/chat/completions", {"messages": "市财政局负责什么？"}),
    ("post", "/v1/chat/completions", {"messages": [{"role": 1, "content": "问"}]}),
    ("post", "/v1/chat/completions", {"model": 7, "messages": [{"role": "user", "content": "问"}]}),
    ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": "问"}], "stream": "yes"}),
    ("post", "/v1/chat/completions", {"messages": []}),
    ("post", "/v1/chat/completions", {"messages": [{"role": "assistant", "content": "答"}]}),
    ("post", "/api/search", {"query": 5}),
    ("post", "/api/search", {"query": ["交流轮岗"]}),
    ("post", "/api/search", {"query": "交流轮岗", "k": "3"}),
    ("post", "/api/search", {"query": "  "}),
    ("post", "/api/calc/school", {"level": "小学", "students": "850", "pe_art_teachers": 7}),
    ("post", "/api/calc/school", {"level": "小学", "students": 850, "pe_art_teachers": 7.5}),
    ("post", "/api/calc/school", {"level": "高中", "students": 850, "pe_art_teachers": 7}),
    ("post", "/api/calc/school", {"level": "小学", "students": 850, "equipment_value_yuan": 1e100}),
    ("post", "/api/calc/school", {"level": "小学", "students": 850}),
    ("post", "/api/calc/school", {"level": "小学", "students": 850, "pe_art_teacher": 7}),
    ("post", "/api/calc/school", ["小学", 850]),
    ("post", "/api/calc/table", {"file": "学校.csv"}),
]


@slow
@pytest.mark.parametrize("method,path,body", NON_STRING, ids=[f"{p}-{i}" for i, (_, p, _) in enumerate(NON_STRING)])
def test_bad_inputs_get_a_chinese_json_error(server, method, path, body):
    with http(server) as client:
        assert_chinese_error(client.request(method, path, json=body), 422)


@slow
def test_unknown_paths_methods_and_broken_json(server):
    with http(server) as client:
        assert_chinese_error(client.get("/v1/chat/completions"), 405, "method_not_allowed")
        assert_chinese_error(client.get("/api/nothing-here"), 404, "not_found")
        broken = client.post("/v1/chat/completions", content=b'{"messages": [', headers={"content-type": "application/json"})
        assert "JSON" in assert_chinese_error(broken, 422)


# ---------------------------------------------------------------- the existing gradio endpoint

@slow
def test_gradio_client_still_reaches_ask_and_bad_inputs_get_chinese_errors(server):
    from gradio_client import Client

    client = Client(server, verbose=False, httpx_kwargs={"trust_env": False})
    data = client.predict("市财政局负责什么？", [], api_name="/ask")
    assert data["intent"] == "duty" and any("经费保障机制" in c["quote"] for c in data["citations"])
    with pytest.raises(Exception) as refused:
        client.predict(5, [], api_name="/ask")
    assert "question 应为字符串" in str(refused.value)
    switched = client.predict("专班组长是谁？", [], True, api_name="/ask")  # the chat tab's 包括已被替代的文件
    assert switched["intent"] == "roster" and "崔加清" in switched["answer"]
    with http(server) as raw:  # gradio's own HTTP route, which checks nothing itself
        for body in ({"data": [5]}, {"data": ["问", [1]]}, {"data": "问"}, {"data": ["问", [], 3]},
                     {"data": ["问", [], True, 1]}, {"data": ["问", [], "yes"]}):
            assert_chinese_error(raw.post("/gradio_api/call/ask", json=body), 422, "invalid_request")
        assert "event_id" in raw.post("/gradio_api/call/ask", json={"data": ["专班组长是谁？"]}).json()


# ---------------------------------------------------------------- keys, rate limit, sizes

@slow
def test_keys_are_needed_once_configured(keyed):
    from openai import AuthenticationError

    url, _ = keyed
    with http(url) as client:
        missing = client.get("/v1/models")
        assert "Authorization" in assert_chinese_error(missing, 401, "unauthorized")
        assert missing.headers["www-authenticate"] == "Bearer"
        assert_chinese_error(client.post("/api/search", json={"query": "交流轮岗"}), 401)
        assert_chinese_error(client.get("/docs"), 401)
        assert_chinese_error(client.get("/api/units", headers={"Authorization": "Bearer key-three"}), 401)
        assert client.get("/").status_code == 200  # the web app has no login here: only the API needs keys
    with pytest.raises(AuthenticationError):
        openai_client(url, "wrong").models.list()
    assert [m.id for m in openai_client(url, "key-two").models.list()] == ["policy-assistant"]


@slow
def test_the_rate_limit_is_per_key_with_a_clear_429(keyed):
    url, _ = keyed
    with http(url, headers={"Authorization": "Bearer key-one"}) as client:
        for _ in range(5):
            assert client.get("/api/units").status_code == 200
        refused = client.get("/api/units")
        assert "每分钟最多 5 次" in assert_chinese_error(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    with http(url, headers={"Authorization": "Bearer key-two"}) as other:
        assert other.get("/api/documents").status_code == 200  # another key has its own budget


@slow
def test_bodies_over_the_limit_get_413_with_or_without_a_length(keyed):
    url, _ = keyed
    question = "市财政局负责什么？" * 200  # 5.4 KB of UTF-8, the server takes 2 KB
    body = {"messages": [{"role": "user", "content": question}]}
    with http(url, headers={"Authorization": "Bearer key-two"}) as client:
        assert "2 KB" in assert_chinese_error(client.post("/v1/chat/completions", json=body), 413, "payload_too_large")

        def chunked():
            yield b'{"messages": [{"role": "user", "content": "'
            yield question.encode("utf-8")
            yield b'"}]}'

        streamed = client.post("/v1/chat/completions", content=chunked(), headers={"content-type": "application/json"})
        assert_chinese_error(streamed, 413, "payload_too_large")


def test_keys_are_required_off_loopback():
    assert not keys_required(Settings())
    assert keys_required(Settings(api_keys=("k",)))
    assert keys_required(Settings(host="0.0.0.0", auth_user="u", auth_password="p"))


@contextmanager
def running(app):
    """An ASGI app under uvicorn on a free loopback port, in this process."""
    import uvicorn

    port = drive.free_port()
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


def test_an_api_for_another_address_without_keys_answers_nothing(assistant):
    """Settings for 0.0.0.0 (the app itself then also needs a login), served here on loopback only."""
    from assistant.api import create_api

    api = create_api(assistant, settings=assistant.settings.with_(host="0.0.0.0", auth_user="u", auth_password="p"))
    with running(api) as url, http(url) as client:
        for method, path in (("get", "/v1/models"), ("get", "/api/units"), ("get", "/openapi.json")):
            assert "ASSISTANT_API_KEYS" in assert_chinese_error(client.request(method, path), 401)
        assert_chinese_error(client.get("/v1/models", headers={"Authorization": "Bearer anything"}), 401)


def test_the_rate_limiter_slides():
    now = [0.0]
    limiter = RateLimiter(2, window_s=60, clock=lambda: now[0])
    assert [limiter.retry_after("a") for _ in range(3)] == [0, 0, 60]
    assert limiter.retry_after("b") == 0
    now[0] = 30.0
    assert limiter.retry_after("a") == 30
    now[0] = 60.0
    assert limiter.retry_after("a") == 0


# ---------------------------------------------------------------- login and gradio's open routes

@slow
def test_login_is_rate_limited_and_gradio_routes_need_it(login_server):
    url = login_server
    reset = {"event_id": "x", "session_hash": "y", "fn_index": 0}
    with http(url) as client:
        for path in ("/gradio_api/reset", "/gradio_api/cancel"):
            assert_chinese_error(client.post(path, json=reset), 401, "unauthorized")
        assert_chinese_error(client.post("/gradio_api/call/ask", json={"data": ["专班组长是谁？"]}), 401)
        assert client.post("/login", data={"username": "staff", "password": "s3cret"}).status_code == 200
        assert client.post("/gradio_api/reset", json=reset).status_code == 200  # with the session cookie
        assert client.get("/v1/models").status_code == 200  # loopback API: keys, not the web login
    with http(url) as stranger:
        codes = [stranger.post("/login", data={"username": "staff", "password": f"guess{i}"}).status_code
                 for i in range(5)]
        assert codes == [400] * 5
        locked = stranger.post("/login", data={"username": "staff", "password": "s3cret"})  # even the right one
        assert "登录尝试过于频繁" in assert_chinese_error(locked, 429, "rate_limited")
        assert int(locked.headers["retry-after"]) >= 1


@slow
def test_sigterm_stops_the_server_and_cleans_up(built_settings, tmp_path):
    """uvicorn re-raises SIGTERM after its graceful stop; the exit handlers must still run."""
    import subprocess
    import sys

    port = drive.free_port()
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_HOST": "127.0.0.1",
           "ASSISTANT_PORT": str(port), "TMPDIR": str(tmp_path), "GRADIO_TEMP_DIR": str(tmp_path / "gradio")}
    proc = subprocess.Popen([sys.executable, str(REPO_ROOT / "app.py")], env=env, cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", trust_env=False, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert list(tmp_path.glob("policy-assistant-*"))  # the app's download folder exists while it runs
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in output, output
    assert not list(tmp_path.glob("policy-assistant-*"))


# ---------------------------------------------------------------- the upload folder

def upload_files(folder: Path, count: int, size: int) -> list[str]:
    paths = []
    for i in range(count):
        target = folder / f"hash{i}" / f"upload{i}.csv"
        target.parent.mkdir(parents=True)
        target.write_bytes(b"0" * size)
        paths.append(str(target))
    return paths


def test_orphan_uploads_are_swept_after_their_time(tmp_path):
    now = [1000.0]
    tracked = set(upload_files(tmp_path, 2, 10))
    download = tmp_path / "cachehash" / "报告.csv"  # gradio's copy of a download: not an upload
    download.parent.mkdir()
    download.write_bytes(b"report")
    janitor = UploadJanitor(tracked, keep_s=600, cap_bytes=10**6, clock=lambda: now[0])
    assert janitor.sweep() == 20
    now[0] += 599
    assert janitor.sweep() == 20 and len(tracked) == 2
    now[0] += 1
    assert janitor.sweep() == 0 and not tracked
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cachehash"]  # the per-upload folders went too
    assert download.read_bytes() == b"report"


def test_the_upload_cap_deletes_the_oldest_first(tmp_path):
    now = [0.0]
    first = upload_files(tmp_path / "a", 2, 100)
    tracked = set(first)
    janitor = UploadJanitor(tracked, keep_s=600, cap_bytes=250, clock=lambda: now[0])
    janitor.sweep()
    now[0] = 10.0
    later = upload_files(tmp_path / "b", 1, 100)
    tracked.update(later)
    assert janitor.sweep() == 200  # 300 bytes over a 250 cap: one of the two older files goes
    assert Path(later[0]).exists() and sum(Path(p).exists() for p in first) == 1


@slow
def test_the_upload_folder_is_capped(keyed):
    url, uploads = keyed  # ASSISTANT_MAX_UPLOAD_MB=1: the folder holds at most 20 MB of uploads
    part = b"0" * (900 * 1024)
    statuses = []
    with http(url) as client:
        for i in range(26):
            response = client.post("/gradio_api/upload", files=[("files", (f"u{i}.csv", part))])
            statuses.append(response.status_code)
            if response.status_code != 200:
                assert "上传文件夹已满" in assert_chinese_error(response, 507, "uploads_full")
    assert statuses[:20] == [200] * 20 and 507 in statuses
    held = sum(f.stat().st_size for f in uploads.rglob("*") if f.is_file())
    assert held <= 21 * 1024 * 1024


# ---------------------------------------------------------------- the generative mode as a model

@pytest.fixture(scope="module")
def llm_server(built_settings, tmp_path_factory):
    from tests.test_llm_gguf import _model_path

    path, reason = _model_path()
    if path is None:
        pytest.skip(reason)
    env = {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_LLM": "gguf", "ASSISTANT_LLM_GGUF": str(path),
           "ASSISTANT_LLM_TIMEOUT": "120", "GRADIO_TEMP_DIR": str(tmp_path_factory.mktemp("gradio-llm"))}
    with drive.serve(env, timeout=240) as url:
        yield url


@slow
@pytest.mark.llm
def test_the_generative_mode_is_a_second_model(llm_server, assistant, index):
    """The tiny test model: the mechanism (verified answer, or the deterministic one with its reason), not its wisdom."""
    from assistant.llm.generative import VERIFY_CODES

    client = openai_client(llm_server)
    assert [m.id for m in client.models.list()] == ["policy-assistant", "policy-assistant-llm"]
    question = "市财政局负责什么？"
    messages = [{"role": "user", "content": question}]
    reply = client.chat.completions.create(model="policy-assistant-llm", messages=messages)
    details, content = reply.policy_assistant, reply.choices[0].message.content
    if details["fallback"]:
        assert details["fallback"].split("：")[0] in VERIFY_CODES | {"timeout", "connection_error", "server_error", "llm_error"}
        assert content.endswith(assistant.ask(question).answer) and details["notice"]
    else:
        assert details["citations"] and all(
            index.docs[c["doc_id"]].text[c["start"]:c["end"]] == c["quote"] for c in details["citations"])
    chunks = list(client.chat.completions.create(model="policy-assistant-llm", messages=messages, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].choices[0].finish_reason == "stop" and "fallback" in chunks[-1].policy_assistant

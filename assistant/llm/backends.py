"""Chat models for the generative mode, from `Settings`.

- `openai`: any OpenAI-compatible endpoint (vLLM, Ollama, Xinference, llama.cpp server) through
  `langchain_openai.ChatOpenAI(base_url, api_key, model, timeout)`.
- `gguf`: a local GGUF file. `xllamacpp.Server` (llama.cpp's own HTTP server, in a child process)
  serves it as an OpenAI-compatible endpoint on 127.0.0.1 and a free port; the same `ChatOpenAI` then
  talks to it, so both backends share one client path (tool calls, streaming, timeouts, errors).

Retries are off (`max_retries=0`): a dead server must fall back at once, not after three tries.
"""
from __future__ import annotations

import atexit
import importlib.util
import os
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.processes import stop_process

DEFAULT_MAX_TOKENS = 400
DEFAULT_CTX = 4096
# Prompt cache in RAM for the embedded server (llama.cpp's default is 8 GiB).
GGUF_CACHE_RAM_MIB = 256
HEALTH_WAIT_S = 60.0


class LLMConfigError(ValueError):
    """The generative mode is not configured, or its model cannot be loaded (a Chinese message)."""


# Used only when a GGUF carries no chat template of its own (e.g. a base model such as the 270M test
# model). Tool calls use the `<tool_call>{"name": …, "arguments": …}</tool_call>` convention, which
# llama.cpp's template analyser recognises, so `tools=` requests get a parser and a lazy grammar.
# Both templates start alike: the system message plus the tool list becomes `ns.sys`, the rest `msgs`.
_SYSTEM_AND_TOOLS = (
    "{%- set ns = namespace(sys='') -%}"
    "{%- if messages[0]['role'] == 'system' -%}{%- set ns.sys = messages[0]['content'] -%}{%- set msgs = messages[1:] -%}"
    "{%- else -%}{%- set msgs = messages -%}{%- endif -%}"
    "{%- if tools -%}{%- set ns.sys = ns.sys + '\\n\\n# 可用工具\\n<tools>\\n' -%}"
    "{%- for t in tools -%}{%- set ns.sys = ns.sys + (t | tojson) + '\\n' -%}{%- endfor -%}"
    "{%- set ns.sys = ns.sys + '</tools>' -%}{%- endif -%}"
)

GEMMA_TEMPLATE = (
    "{{ bos_token }}"
    + _SYSTEM_AND_TOOLS +
    "{%- for m in msgs -%}"
    "{%- if m['role'] == 'user' -%}"
    "<start_of_turn>user\n{% if loop.first and ns.sys %}{{ ns.sys }}\n\n{% endif %}{{ m['content'] }}<end_of_turn>\n"
    "{% elif m['role'] == 'assistant' -%}"
    "<start_of_turn>model\n{% if m['content'] %}{{ m['content'] }}{% endif %}"
    "{%- if m['tool_calls'] -%}{%- for tc in m['tool_calls'] -%}"
    "{%- if tc['function'] is defined -%}{%- set tc = tc['function'] -%}{%- endif -%}"
    "<tool_call>\n{\"name\": \"{{ tc['name'] }}\", \"arguments\": "
    "{% if tc['arguments'] is string %}{{ tc['arguments'] }}{% else %}{{ tc['arguments'] | tojson }}{% endif %}}\n</tool_call>"
    "{%- endfor -%}{%- endif -%}<end_of_turn>\n"
    "{% elif m['role'] == 'tool' -%}"
    "<start_of_turn>user\n<tool_response>\n{{ m['content'] }}\n</tool_response><end_of_turn>\n"
    "{% endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<start_of_turn>model\n{% endif -%}"
)

CHATML_TEMPLATE = (
    _SYSTEM_AND_TOOLS +
    "{%- if ns.sys -%}<|im_start|>system\n{{ ns.sys }}<|im_end|>\n{% endif -%}"
    "{%- for m in msgs -%}"
    "{%- if m['role'] == 'user' -%}"
    "<|im_start|>user\n{{ m['content'] }}<|im_end|>\n"
    "{% elif m['role'] == 'assistant' -%}"
    "<|im_start|>assistant\n{% if m['content'] %}{{ m['content'] }}{% endif %}"
    "{%- if m['tool_calls'] -%}{%- for tc in m['tool_calls'] -%}"
    "{%- if tc['function'] is defined -%}{%- set tc = tc['function'] -%}{%- endif -%}"
    "<tool_call>\n{\"name\": \"{{ tc['name'] }}\", \"arguments\": "
    "{% if tc['arguments'] is string %}{{ tc['arguments'] }}{% else %}{{ tc['arguments'] | tojson }}{% endif %}}\n</tool_call>"
    "{%- endfor -%}{%- endif -%}<|im_end|>\n"
    "{% elif m['role'] == 'tool' -%}"
    "<|im_start|>user\n<tool_response>\n{{ m['content'] }}\n</tool_response><|im_end|>\n"
    "{% endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|im_start|>assistant\n{% endif -%}"
)


# ---------------------------------------------------------------------------------------------
# GGUF metadata (only the few string keys we need; no extra dependency)

_GGUF_SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def gguf_metadata(path: str | Path, keys: tuple[str, ...] = ("general.architecture", "general.name",
                                                              "tokenizer.chat_template")) -> dict[str, str]:
    """String values of `keys` from a GGUF header; raises LLMConfigError when the file is not a GGUF."""
    out: dict[str, str] = {}
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise LLMConfigError(f"{path} 不是 GGUF 模型文件")
        (version,) = struct.unpack("<I", f.read(4))
        if version < 2:
            raise LLMConfigError(f"{path} 的 GGUF 版本（v{version}）过旧")
        _tensors, n_kv = struct.unpack("<QQ", f.read(16))

        def read_str() -> bytes:
            (n,) = struct.unpack("<Q", f.read(8))
            return f.read(n)

        def skip(vtype: int) -> None:
            if vtype in _GGUF_SCALARS:
                f.seek(_GGUF_SCALARS[vtype], os.SEEK_CUR)
            elif vtype == _GGUF_STRING:
                (n,) = struct.unpack("<Q", f.read(8))
                f.seek(n, os.SEEK_CUR)
            elif vtype == _GGUF_ARRAY:
                item_type, count = struct.unpack("<IQ", f.read(12))
                if item_type in _GGUF_SCALARS:
                    f.seek(_GGUF_SCALARS[item_type] * count, os.SEEK_CUR)
                else:
                    for _ in range(count):
                        skip(item_type)
            else:
                raise LLMConfigError(f"{path}：无法读取的 GGUF 元数据类型 {vtype}")

        for _ in range(n_kv):
            key = read_str().decode("utf-8", "replace")
            (vtype,) = struct.unpack("<I", f.read(4))
            if key in keys and vtype == _GGUF_STRING:
                out[key] = read_str().decode("utf-8", "replace")
                if len(out) == len(keys):
                    break
            else:
                skip(vtype)
    return out


def fallback_template(path: str | Path) -> str | None:
    """A chat template for a GGUF that has none (None: the file's own template is used)."""
    meta = gguf_metadata(path)
    if meta.get("tokenizer.chat_template"):
        return None
    return GEMMA_TEMPLATE if meta.get("general.architecture", "").startswith("gemma") else CHATML_TEMPLATE


# ---------------------------------------------------------------------------------------------
# The embedded llama.cpp server


@dataclass
class GGUFServer:
    """llama.cpp's HTTP server for one GGUF (xllamacpp), in a child process of ours on 127.0.0.1.

    A child process, not a thread: releasing xllamacpp's server while a request is in flight can
    deadlock the interpreter; a process is simply stopped.
    """

    model_path: str
    base_url: str  # ends with /v1
    model_name: str
    _process: Any = field(repr=False, default=None)

    def close(self) -> None:
        with _LOCK:
            for key, value in list(_SERVERS.items()):
                if value is self:
                    del _SERVERS[key]
        if self._process is not None:
            stop_process(self._process, grace_s=5)


_SERVERS: dict[tuple, GGUFServer] = {}
_LOCK = threading.Lock()


def start_gguf_server(model_path: str | Path, *, n_ctx: int = DEFAULT_CTX, n_threads: int | None = None,
                      chat_template: str | None = None) -> GGUFServer:
    """Start (or reuse, per process) a local server for `model_path` (`python -m assistant.llm.serve`)."""
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise LLMConfigError(f"找不到 GGUF 模型文件：{path}（设置 ASSISTANT_LLM_GGUF，或运行 python -m assistant.llm.fetch_model 取得测试模型）")
    if importlib.util.find_spec("xllamacpp") is None:
        raise LLMConfigError("gguf 后端需要 xllamacpp：pip install -e \".[gguf]\"（或 pip install xllamacpp）")
    key = (str(path.resolve()), n_ctx, n_threads, chat_template)
    with _LOCK:
        if key in _SERVERS and _SERVERS[key]._process.poll() is None:
            return _SERVERS[key]
        command = [sys.executable, "-m", "assistant.llm.serve", "--model", str(path), "--ctx", str(n_ctx)]
        if n_threads:
            command += ["--threads", str(n_threads)]
        if chat_template:
            command += ["--chat-template", chat_template]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        base_url = _read_base_url(process)
        handle = GGUFServer(str(path), base_url, path.stem, process)
        _SERVERS[key] = handle
        atexit.register(handle.close)
        return handle


def _read_base_url(process: subprocess.Popen) -> str:
    """The server prints its URL once it is healthy; anything else is a start-up failure."""
    line = process.stdout.readline().strip()  # blocks until ready or the child exits
    if not line.startswith("http"):
        process.wait(timeout=5)
        detail = (process.stderr.read() or "").strip().splitlines()
        raise LLMConfigError(f"本地模型服务启动失败：{detail[-1] if detail else '未知原因'}")
    return line


def run_gguf_server(model_path: str | Path, *, n_ctx: int = DEFAULT_CTX, n_threads: int | None = None,
                    chat_template: str | None = None, port: int = 0, quiet: bool = True):
    """Run llama.cpp's server inside this process (the body of `python -m assistant.llm.serve`).

    Returns (xllamacpp server, base URL ending in /v1). `chat_template=None` uses the file's own
    template, or a built-in one when the file has none (see `fallback_template`).
    """
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise LLMConfigError(f"找不到 GGUF 模型文件：{path}")
    try:
        import xllamacpp
    except ImportError as exc:
        raise LLMConfigError("gguf 后端需要 xllamacpp：pip install -e \".[gguf]\"（或 pip install xllamacpp）") from exc
    template = chat_template if chat_template is not None else fallback_template(path)
    threads = n_threads or max(1, os.cpu_count() or 1)
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_parallel = 1
    params.n_ctx = n_ctx
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.cache_ram_mib = GGUF_CACHE_RAM_MIB
    params.use_jinja = True
    if template:
        params.chat_template = template
    if quiet:
        params.verbosity = 0
    try:
        server = xllamacpp.Server(params)
    except Exception as exc:  # a corrupt file, an unsupported architecture, out of memory
        raise LLMConfigError(f"无法加载 GGUF 模型 {path}：{exc}") from exc
    root = str(server.listening_address).rstrip("/")
    _wait_healthy(root)
    return server, root + "/v1"


def _wait_healthy(root: str, limit_s: float = HEALTH_WAIT_S) -> None:
    deadline = time.monotonic() + limit_s
    while True:
        try:
            with urllib.request.urlopen(root + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise LLMConfigError(f"本地模型服务 {root} 在 {limit_s:.0f} 秒内没有就绪")
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# Chat models


def openai_chat_model(base_url: str, model: str, api_key: str = "", timeout_s: float = 30.0,
                      max_tokens: int | None = DEFAULT_MAX_TOKENS, temperature: float = 0.0, **kwargs):
    from langchain_openai import ChatOpenAI

    extra_body = dict(kwargs.pop("extra_body", None) or {})
    if max_tokens:
        # langchain sends `max_completion_tokens`; older OpenAI-compatible servers read `max_tokens`.
        extra_body.setdefault("max_tokens", max_tokens)
    return ChatOpenAI(
        base_url=base_url,
        api_key=api_key or "not-needed",  # local servers ignore it, the client insists on one
        model=model,
        timeout=timeout_s,
        max_retries=0,
        temperature=temperature,
        max_tokens=max_tokens,
        extra_body=extra_body or None,
        **kwargs,
    )


def make_chat_model(settings, *, max_tokens: int | None = DEFAULT_MAX_TOKENS, temperature: float = 0.0,
                    n_ctx: int = DEFAULT_CTX, chat_template: str | None = None):
    """The chat model `settings.llm_backend` names; raises LLMConfigError (Chinese) when it can't.

    `openai` needs `llm_base_url` (e.g. http://127.0.0.1:11434/v1) and `llm_model`; `gguf` needs
    `llm_gguf_path` (and loads the model now: a few seconds for a small file).
    """
    backend = (settings.llm_backend or "none").strip().lower()
    timeout_s = float(settings.llm_timeout_s)
    if backend == "openai":
        if not settings.llm_base_url:
            raise LLMConfigError("openai 后端需要 ASSISTANT_LLM_BASE_URL（例如 http://127.0.0.1:11434/v1）")
        if not settings.llm_model:
            raise LLMConfigError("openai 后端需要 ASSISTANT_LLM_MODEL（服务端的模型名）")
        return openai_chat_model(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                                 timeout_s, max_tokens, temperature)
    if backend == "gguf":
        if not settings.llm_gguf_path:
            raise LLMConfigError("gguf 后端需要 ASSISTANT_LLM_GGUF（本地 GGUF 文件路径）")
        server = start_gguf_server(settings.llm_gguf_path, n_ctx=n_ctx, chat_template=chat_template)
        return openai_chat_model(server.base_url, settings.llm_model or server.model_name, "",
                                 timeout_s, max_tokens, temperature)
    if backend in ("", "none"):
        raise LLMConfigError("未启用生成式模式：设置 ASSISTANT_LLM=openai 或 gguf")
    raise LLMConfigError(f"未知的 ASSISTANT_LLM 取值“{settings.llm_backend}”：应为 none、openai 或 gguf")

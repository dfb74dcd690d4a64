"""Serve a local GGUF as an OpenAI-compatible endpoint (llama.cpp's server through xllamacpp).

    python -m assistant.llm.serve --model PATH.gguf [--port 8080]

Prints the base URL (…/v1) and serves until interrupted. Point the `openai` backend at it
(ASSISTANT_LLM=openai ASSISTANT_LLM_BASE_URL=<url> ASSISTANT_LLM_MODEL=<file stem>) to share one
loaded model between several processes; the `gguf` backend does the same inside its own process.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from assistant.llm.backends import DEFAULT_CTX, LLMConfigError, run_gguf_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.llm.serve", description="把本地 GGUF 模型作为 OpenAI 兼容服务运行（仅 127.0.0.1）")
    parser.add_argument("--model", required=True, help="GGUF 文件路径")
    parser.add_argument("--port", type=int, default=0, help="端口（默认取一个空闲端口）")
    parser.add_argument("--ctx", type=int, default=DEFAULT_CTX, help=f"上下文长度（默认 {DEFAULT_CTX}）")
    parser.add_argument("--threads", type=int, default=None, help="推理线程数（默认 CPU 核数）")
    parser.add_argument("--chat-template", default=None, help="覆盖模型自带的对话模板")
    parser.add_argument("--verbose", action="store_true", help="显示 llama.cpp 日志")
    args = parser.parse_args(argv)
    try:
        _server, base_url = run_gguf_server(args.model, n_ctx=args.ctx, n_threads=args.threads, port=args.port,
                                            chat_template=args.chat_template, quiet=not args.verbose)
    except LLMConfigError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(base_url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    # Exit without releasing the server object: its destructor can wait forever on a request in flight,
    # and the operating system frees the model and the port anyway.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())

"""Optional generative mode (issue 7): an LLM phrases answers and may call the calculator, while the
grounding verifier (the same code as the deterministic path) has the last word.

- `backends.make_chat_model(settings)`: a langchain chat model for `openai` (any OpenAI-compatible
  endpoint) or `gguf` (a local GGUF served in-process by xllamacpp on a loopback port).
- `generative.GenerativeAnswerer(assistant, chat_model, settings)`: `.ask()` / `.stream()`.
- `verifier.verify_answer(...)`: the checks an LLM answer must pass before it is shown.
- `fetch_model` / `serve` / `evaluate`: `python -m assistant.llm.<name>` scripts.

Names are imported lazily, so `python -m assistant.llm.fetch_model` needs nothing but the stdlib and
the deterministic path never loads langchain_openai or xllamacpp.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "GenerativeAnswerer": "assistant.llm.generative",
    "Trace": "assistant.llm.generative",
    "LLMConfigError": "assistant.llm.backends",
    "make_chat_model": "assistant.llm.backends",
    "Verdict": "assistant.llm.verifier",
    "verify_answer": "assistant.llm.verifier",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant.llm' has no attribute {name!r}")

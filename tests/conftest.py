"""Shared fixtures: the real corpus indexed once per test session into a temp dir, real embeddings."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from assistant.settings import REPO_ROOT, Settings  # noqa: E402

PLAN_FILE = REPO_ROOT / "corpus" / "qufu-2024-17-plan.txt"


@pytest.fixture(scope="session")
def plan_text() -> str:
    return PLAN_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory) -> Settings:
    """The shipped corpus, indexed with the default embeddings (settings) into a session temp dir."""
    from assistant.index.builder import build_index

    settings = Settings().with_(index_dir=tmp_path_factory.mktemp("index"))
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def index(built_settings):
    from assistant.index.store import open_index

    return open_index(built_settings)


@pytest.fixture(scope="session")
def assistant(built_settings):
    from assistant.answer.service import Assistant

    return Assistant.from_settings(built_settings)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the corpus folder, for tests that add or break files."""
    target = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", target)
    return target


MULTIDOC_CORPUS = REPO_ROOT / "eval" / "multidoc" / "corpus"


@pytest.fixture(scope="session")
def multidoc_settings(tmp_path_factory) -> Settings:
    """Four documents side by side, indexed once: the shipped plan and eval/multidoc/corpus (汶河区's
    2024 plan, its superseded 2023 plan, a national rule example)."""
    from assistant.index.builder import build_index

    root = tmp_path_factory.mktemp("multidoc")
    corpus = root / "corpus"
    corpus.mkdir()
    for folder in (REPO_ROOT / "corpus", MULTIDOC_CORPUS):
        for path in folder.iterdir():
            if path.is_file():
                shutil.copy(path, corpus / path.name)
    settings = Settings().with_(corpus_dir=corpus, index_dir=root / "index")
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def multidoc_index(multidoc_settings):
    from assistant.index.store import open_index

    return open_index(multidoc_settings)

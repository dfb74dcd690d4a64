"""Security: the app will not open itself to the network without a login; nothing talks to the network
at run time (checked in a network namespace with only loopback, plus a socket guard that records any
outbound attempt); no user text reaches eval/exec or a shell."""
from __future__ import annotations

import ast
import functools
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT
from tests.test_index import articles_text, assistant_cmd, clone_index

APP = REPO_ROOT / "app.py"
WEB_APP = REPO_ROOT / "assistant" / "ui" / "app.py"
DUTY_SENTENCE = "完善义务教育经费保障机制，将义务教育全面纳入财政保障范围。"

needs_web_app = pytest.mark.skipif(not WEB_APP.exists(), reason="web app not present")


def base_env(settings=None, **extra: str) -> dict[str, str]:
    """The environment a user has: no offline switches pre-set (the entry points must set them), no proxy."""
    drop = ("ASSISTANT_", "CHROMA_", "HF_", "TRANSFORMERS_", "GRADIO_", "http_proxy", "https_proxy", "HTTP_PROXY",
            "HTTPS_PROXY", "ALL_PROXY", "all_proxy")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop) and k != "ANONYMIZED_TELEMETRY"}
    if settings is not None:
        env.update(ASSISTANT_INDEX_DIR=str(settings.index_dir), ASSISTANT_CORPUS_DIR=str(settings.corpus_dir),
                   ASSISTANT_EMBEDDING=settings.embedding_backend)
    env.update(PYTHONIOENCODING="utf-8", **extra)
    return env


# ---------------------------------------------------------------- the app's bind address

@needs_web_app
@pytest.mark.slow
@pytest.mark.parametrize(("host", "auth"), [
    ("0.0.0.0", {}),
    ("192.168.10.20", {"ASSISTANT_AUTH_USER": "admin"}),  # half a login is no login
])
def test_app_refuses_a_non_loopback_address_without_login(tmp_path, host, auth):
    env = base_env(ASSISTANT_HOST=host, ASSISTANT_PORT="7999", ASSISTANT_INDEX_DIR=str(tmp_path / "index"), **auth)
    proc = subprocess.run([sys.executable, str(APP)], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "ASSISTANT_AUTH_USER" in proc.stderr and "ASSISTANT_AUTH_PASSWORD" in proc.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in proc.stderr)  # a Chinese sentence
    assert "Running on" not in proc.stdout + proc.stderr


# ---------------------------------------------------------------- no outbound network

GUARD = textwrap.dedent('''
    """Test socket guard (sitecustomize): refuses and records every non-loopback connection or lookup."""
    import os
    import socket

    _LOG = os.environ["NET_GUARD_LOG"]
    _LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", "ip6-localhost"}


    def _local(host):
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        host = str(host).strip("[]").lower()
        return host in _LOCAL or host.startswith("127.")


    def _refuse(what, target):
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {what} {target!r}\\n")
        raise OSError(101, f"network blocked by test guard: {what} {target!r}")


    _connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            _refuse("connect", address)
        return _connect(self, address)


    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            _refuse("connect_ex", address)
        return _connect_ex(self, address)


    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _local(host):
            _refuse("getaddrinfo", host)
        return _getaddrinfo(host, *args, **kwargs)


    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
''')


@functools.cache
def namespace_available() -> bool:
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.fixture
def offline(tmp_path):
    """(command prefix, env additions, guard log): a new network namespace with only loopback when the
    kernel allows it, and in every case the socket guard loaded through PYTHONPATH."""
    root = tmp_path / "netguard"
    root.mkdir()
    (root / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = root / "attempts.log"
    log.touch()
    prefix = []
    if namespace_available():
        prefix = ["unshare", "-rn", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh"]
    return prefix, {"PYTHONPATH": str(root), "NET_GUARD_LOG": str(log)}, log


def run_offline(offline, cmd: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    prefix, extra, _ = offline
    return subprocess.run([*prefix, *cmd], env={**env, **extra}, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO_ROOT)


def test_the_guard_itself_blocks_and_records(offline):
    probe = textwrap.dedent("""
        import socket
        names = [name for _, name in socket.if_nameindex()]
        try:
            socket.create_connection(("93.184.216.34", 80), timeout=3)
            print("CONNECTED", names)
        except OSError as exc:
            print("BLOCKED", names, exc)
    """)
    proc = run_offline(offline, [sys.executable, "-c", probe], base_env())
    assert proc.stdout.startswith("BLOCKED"), proc.stdout + proc.stderr
    if offline[0]:
        assert "['lo']" in proc.stdout  # the namespace has loopback only
    assert "93.184.216.34" in offline[2].read_text(encoding="utf-8")


@pytest.mark.slow
def test_cli_index_and_ask_work_with_network_blocked(offline, built_settings, tmp_path, corpus_copy):
    settings = clone_index(built_settings, tmp_path / "index", corpus_dir=corpus_copy)
    (corpus_copy / "school-bus.txt").write_text(articles_text("校车安全管理办法", "校车安全检查", 3), encoding="utf-8")
    env = base_env(settings)
    log = offline[2]

    built = run_offline(offline, assistant_cmd("index", "--force", "--quiet"), env)
    assert built.returncode == 0, built.stderr
    assert "索引完成" in built.stdout and "新向量化 0 段" not in built.stdout  # the model really ran offline

    asked = run_offline(offline, assistant_cmd("ask", "市财政局负责什么", "--json"), env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["intent"] == "duty" and DUTY_SENTENCE in answer["answer"]

    found = run_offline(offline, assistant_cmd("search", "校车安全检查第2项要求", "--json"), env)
    assert found.returncode == 0 and json.loads(found.stdout)[0]["doc_title"] == "校车安全管理办法", found.stderr
    assert log.read_text(encoding="utf-8") == "", "outbound network attempts:\n" + log.read_text(encoding="utf-8")


APP_DRIVER = textwrap.dedent('''
    """Runs inside the sandbox: start the app on loopback, ask one question through its HTTP API, stop it."""
    import json, subprocess, sys, time, urllib.request

    app, port = sys.argv[1], sys.argv[2]
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, app], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while True:
            if proc.poll() is not None:
                print("APP EXITED", proc.returncode, proc.stdout.read().decode(errors="replace")[-3000:])
                sys.exit(1)
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                print("APP DID NOT START")
                sys.exit(1)
            time.sleep(0.5)
        request = urllib.request.Request(base + "/gradio_api/call/ask", method="POST",
                                         data=json.dumps({"data": ["市财政局负责什么", []]}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            event_id = json.loads(r.read())["event_id"]
        with urllib.request.urlopen(f"{base}/gradio_api/call/ask/{event_id}", timeout=120) as r:
            stream = r.read().decode()
        lines = stream.splitlines()
        data = next(lines[i + 1] for i, ln in enumerate(lines) if ln.startswith("event: complete"))
        print("RESULT " + json.dumps(json.loads(data[len("data: "):])[0], ensure_ascii=False))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
''')


@needs_web_app
@pytest.mark.slow
def test_web_app_answers_with_network_blocked(offline, built_settings, tmp_path):
    if not offline[0]:
        pytest.skip("needs a network namespace (unshare -rn) so the app can bind a private loopback")
    settings = clone_index(built_settings, tmp_path / "index")
    driver = tmp_path / "driver.py"
    driver.write_text(APP_DRIVER, encoding="utf-8")
    env = base_env(settings, ASSISTANT_HOST="127.0.0.1", ASSISTANT_PORT="7860")
    proc = run_offline(offline, [sys.executable, str(driver), str(APP), "7860"], env, timeout=400)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(proc.stdout.split("RESULT ", 1)[1])
    assert result["intent"] == "duty" and DUTY_SENTENCE in result["answer"]
    log = offline[2].read_text(encoding="utf-8")
    assert log == "", "outbound network attempts:\n" + log


# ---------------------------------------------------------------- no user text evaluated as code

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "input"}
FORBIDDEN_ATTRS = {("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execvp"), ("os", "spawnl"),
                   ("pickle", "loads"), ("pickle", "load"), ("marshal", "loads"), ("yaml", "load"), ("yaml", "unsafe_load")}
# The only modules allowed to start processes, each a fixed program: `python app.py` (screenshots),
# `python -m assistant.llm.serve` (the local GGUF server, in its own process) and the time-limited
# schools calculation (our own function, rows on stdin); processes.py only stops them.
SUBPROCESS_ALLOWED = {"assistant/ui/screenshots.py", "assistant/llm/backends.py", "assistant/processes.py",
                      "assistant/domain/schools.py"}


def python_files() -> list[Path]:
    return sorted(p for p in (REPO_ROOT / "assistant").rglob("*.py")) + [APP]


def test_no_eval_exec_or_shell_in_the_code():
    problems = []
    for path in python_files():
        rel = path.relative_to(REPO_ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                    problems.append(f"{rel}:{node.lineno} calls {func.id}()")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (func.value.id, func.attr) in FORBIDDEN_ATTRS:
                    problems.append(f"{rel}:{node.lineno} calls {func.value.id}.{func.attr}()")
                for kw in node.keywords:
                    if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                        problems.append(f"{rel}:{node.lineno} passes shell=")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.split(".")[0] in ("subprocess", "pty", "commands") for n in names) and rel not in SUBPROCESS_ALLOWED:
                    problems.append(f"{rel}:{node.lineno} imports {names}")
    assert problems == []


def test_the_one_subprocess_user_runs_a_fixed_command():
    tree = ast.parse((REPO_ROOT / "assistant/ui/screenshots.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and isinstance(n.func.value, ast.Name) and n.func.value.id == "subprocess"]
    for call in calls:
        if call.func.attr in ("Popen", "run", "call", "check_call", "check_output"):
            argv = call.args[0]
            assert isinstance(argv, ast.List), ast.unparse(argv)  # an argument list, never a shell string
            names = {n.id for n in ast.walk(argv) if isinstance(n, ast.Name)}
            assert names <= {"sys", "str", "REPO_ROOT"}, ast.unparse(argv)  # nothing a user typed


def test_the_schools_calculation_runs_our_own_function_only():
    """The table reaches the child on stdin, never in its command line."""
    tree = ast.parse((REPO_ROOT / "assistant/domain/schools.py").read_text(encoding="utf-8"))
    commands = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "command" for t in n.targets)]
    assert len(commands) == 1 and isinstance(commands[0], ast.List)
    assert ast.unparse(commands[0]) == ("[sys.executable, '-c', 'from assistant.domain.schools import serve_evaluation; "
                                        "serve_evaluation()']")
    runs = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "subprocess.run"]
    assert len(runs) == 1 and ast.unparse(runs[0].args[0]) == "command"


def test_the_gguf_server_runs_our_own_module_only():
    tree = ast.parse((REPO_ROOT / "assistant/llm/backends.py").read_text(encoding="utf-8"))
    commands = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "command" for t in n.targets)]
    assert len(commands) == 1 and isinstance(commands[0], ast.List)
    assert ast.unparse(commands[0]).startswith("[sys.executable, '-m', 'assistant.llm.serve'")


def test_guard_test_catches_what_it_claims(tmp_path):
    """The scanner above is not vacuous: it flags a file that evaluates text or runs a shell."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nanswer = eval(question)\nos.system(question)\n", encoding="utf-8")
    tree = ast.parse(bad.read_text(encoding="utf-8"))
    flagged = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and (
        (isinstance(n.func, ast.Name) and n.func.id in FORBIDDEN_CALLS)
        or (isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
            and (n.func.value.id, n.func.attr) in FORBIDDEN_ATTRS))]
    assert len(flagged) == 2

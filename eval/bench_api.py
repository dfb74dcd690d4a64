"""Load on the HTTP API (issue 14): the real app (`python app.py`) on a loopback port, N concurrent
clients each sending M chat requests to POST /v1/chat/completions (the eval questions, earlier
turns as messages): errors, p50/p95, throughput, server CPU and memory. A section of `make bench`
(eval/bench.py calls `section_api_load` and `api_load_markdown`), or on its own:

  .venv/bin/python eval/bench_api.py [--runs 20x50] [--index-dir DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

QUESTIONS = REPO / "eval" / "questions.jsonl"
MODEL = "policy-assistant"
# The rate limit counts per key, or per address without keys: every client here is 127.0.0.1, so
# the default (120 a minute) would measure the 429s. The limit itself is tested in tests/test_api.py.
UNLIMITED_RATE = "100000"
RUNS = ((1, 20, False), (20, 50, False), (20, 10, True))  # (clients, requests each, streamed)


def chat_messages(question) -> list[dict]:
    return [*({"role": "user", "content": h} for h in question.history), {"role": "user", "content": question.question}]


def ask_once(client, question, stream: bool) -> None:
    """One chat request; raises unless a complete answer came back."""
    body = {"model": MODEL, "messages": chat_messages(question), "stream": stream}
    if not stream:
        response = client.post("/v1/chat/completions", json=body)
        response.raise_for_status()
        if not response.json()["choices"][0]["message"]["content"]:
            raise ValueError("空回答")
        return
    text, done = "", False
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line == "data: [DONE]":
                done = True
            elif line.startswith("data: "):
                choices = json.loads(line[6:]).get("choices") or [{}]
                text += choices[0].get("delta", {}).get("content") or ""
    if not (done and text):
        raise ValueError("事件流不完整")


def load_run(url: str, questions, clients: int, per_client: int, stream: bool) -> dict:
    import httpx

    from assistant.evaluation import percentile

    def one_client(n: int):
        latencies, errors, samples = [], 0, []
        with httpx.Client(base_url=url, timeout=120, trust_env=False) as client:  # one kept-alive connection
            for i in range(per_client):
                question = questions[(n * 7 + i) % len(questions)]
                started = time.perf_counter()
                try:
                    ask_once(client, question, stream)
                    latencies.append((time.perf_counter() - started) * 1000)
                except Exception as exc:  # counted, a few kept as examples
                    errors += 1
                    if len(samples) < 3:
                        samples.append(f"{question.id}: {type(exc).__name__}: {str(exc)[:120]}")
        return latencies, errors, samples

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one_client, range(clients)))
    wall = time.perf_counter() - started
    latencies = [x for r in results for x in r[0]]
    return {"clients": clients, "per_client": per_client, "stream": stream, "requests": clients * per_client,
            "ok": len(latencies), "errors": sum(r[1] for r in results),
            "error_samples": [s for r in results for s in r[2]][:5], "wall_s": wall,
            "throughput_rps": len(latencies) / wall if wall else 0.0, "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95), "max_ms": max(latencies, default=0.0)}


class ServerSampler(threading.Thread):
    """RSS (with children) and CPU time of the app process, sampled until stopped."""

    def __init__(self, process, every: float = 0.2):
        super().__init__(daemon=True)
        self.process, self.every, self.peak_mb = process, every, 0.0
        self._halt = threading.Event()

    def rss_mb(self) -> float:
        import psutil

        total = 0
        for p in [self.process, *self.process.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                continue
        self.peak_mb = max(self.peak_mb, total / 2**20)
        return total / 2**20

    def cpu_s(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.rss_mb()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


def app_process():
    """The `python app.py` this process started (assistant.ui.screenshots.serve runs it as a child)."""
    import psutil

    return next(p for p in psutil.Process().children() if any(a.endswith("app.py") for a in p.cmdline()))


def section_api_load(index_dir: str | Path, backend: str, runs=RUNS) -> dict:
    """Start the app on the given index, warm it up, then the runs; a failure to start is reported, not raised."""
    from assistant.evaluation import load_questions
    from assistant.ui.screenshots import serve

    env = {"ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_EMBEDDING": backend, "ASSISTANT_API_RATE": UNLIMITED_RATE,
           "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}
    questions = load_questions(QUESTIONS)
    started = time.perf_counter()
    try:
        with serve(env, timeout=180) as url:
            out = {"url": url, "startup_s": time.perf_counter() - started, "rate_per_minute": int(UNLIMITED_RATE),
                   "runs": []}
            sampler = ServerSampler(app_process())
            out["server_rss_idle_mb"] = sampler.rss_mb()
            sampler.start()
            load_run(url, questions, 1, 5, False)  # warm-up: lazy parts (jieba, the calculator) load here
            for clients, per_client, stream in runs:
                print(f"  · API 负载 {clients}×{per_client}{'（流式）' if stream else ''} …", end="", flush=True)
                cpu = sampler.cpu_s()
                run = load_run(url, questions, clients, per_client, stream)
                run["server_cpu_ms_per_request"] = (sampler.cpu_s() - cpu) * 1000 / max(1, run["requests"])
                run["server_rss_peak_mb"] = sampler.peak_mb
                out["runs"].append(run)
                print(f" {run['wall_s']:.1f} s，错误 {run['errors']}", flush=True)
            sampler.stop()
            out["server_rss_peak_mb"] = sampler.peak_mb
            out["loadavg"] = os.getloadavg()
            return out
    except RuntimeError as exc:  # serve(): the app exited or did not answer in time
        return {"skipped": f"应用未能启动：{str(exc)[:600]}"}


def api_load_markdown(d: dict | None) -> list[str]:
    lines = ["## f. API 负载（issue 14）", ""]
    if not d:
        return lines + ["（未运行：--quick 或 --skip-load）", ""]
    if d.get("skipped"):
        return lines + [f"（跳过：{d['skipped']}）", ""]
    lines += [f"真实应用 `python app.py`（{d['url']}，启动 {d['startup_s']:.1f} s），每个客户端一个保持连接的 httpx 客户端，"
              f"顺序调用 `POST /v1/chat/completions`（模型 {MODEL}，评测题在客户端间错开循环，追问题的前文作为此前的 user 消息；服务端的查询向量缓存会命中重复题）；"
              f"客户端与服务端在同一台机器上。速率上限设为每分钟 {d['rate_per_minute']} 次（所有客户端同一地址）。"
              "第一行是单客户端基线。", "",
              "| 并发 × 每客户端请求 | 方式 | 请求 | 错误 | p50 ms | p95 ms | 最大 ms | 吞吐 次/秒 | 服务端 CPU ms/次 | 服务端内存峰值 MB |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in d["runs"]:
        lines.append(f"| {r['clients']} × {r['per_client']} | {'流式' if r['stream'] else '非流式'} | {r['requests']} | "
                     f"{r['errors']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['max_ms']:.0f} | {r['throughput_rps']:.1f} | "
                     f"{r['server_cpu_ms_per_request']:.1f} | {r['server_rss_peak_mb']:.0f} |")
        if r["error_samples"]:
            lines.append(f"|  错误示例：{'；'.join(r['error_samples'])} | | | | | | | | | |")
    load = " / ".join(f"{x:.1f}" for x in d["loadavg"])
    lines += ["", f"服务端内存：空闲 {d['server_rss_idle_mb']:.0f} MB，峰值 {d['server_rss_peak_mb']:.0f} MB；"
                  f"结束时系统负载（1/5/15 分钟）{load}。", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import Settings, quiet_third_parties

    quiet_third_parties()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", default="1x20,20x50,20x10s", help="clients×requests runs; a trailing s streams, e.g. 20x10s")
    parser.add_argument("--index-dir", default=None, help="a built index (default: ASSISTANT_INDEX_DIR or indices/)")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    runs = [(int(c), int(m.rstrip("s")), m.endswith("s")) for c, m in (p.lower().split("x") for p in args.runs.split(","))]
    result = section_api_load(args.index_dir or settings.index_dir, settings.embedding_backend, runs)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(api_load_markdown(result)))
    return 0 if result.get("runs") and not any(r["errors"] for r in result["runs"]) else 1


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(main())

"""The eval set through the generative mode, next to the deterministic figures.

    python -m assistant.llm.evaluate [--limit 40] [--json]      # settings from ASSISTANT_LLM*

Same questions, same judge (`assistant.evaluation`), plus what only the generative mode has: the
fallback rate (answers the verifier or an error sent back to the deterministic path, by reason),
the share the model answered in its own words, and how the calculator was reached.
`--limit N` takes a subset spread evenly over the categories (the same N always gives the same set).
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import sys
import time
from pathlib import Path

from assistant.evaluation import EvalQuestion, EvalReport, default_questions_path, load_questions, run_eval


def spread_subset(questions: list[EvalQuestion], limit: int | None) -> list[EvalQuestion]:
    """`limit` questions, each category in proportion (at least one), evenly spaced within it."""
    if not limit or limit >= len(questions):
        return list(questions)
    by_category: dict[str, list[EvalQuestion]] = collections.defaultdict(list)
    for q in questions:
        by_category[q.category].append(q)
    quota = {c: max(1, math.floor(limit * len(qs) / len(questions))) for c, qs in by_category.items()}
    while sum(quota.values()) < limit:  # hand out the remainder to the largest categories
        c = max(by_category, key=lambda c: len(by_category[c]) / quota[c])
        quota[c] += 1
    while sum(quota.values()) > limit and any(v > 1 for v in quota.values()):  # the one-each minimum overshot
        c = max((c for c in quota if quota[c] > 1), key=lambda c: quota[c] / len(by_category[c]))
        quota[c] -= 1
    picked = set()
    for c, qs in by_category.items():
        step = len(qs) / quota[c]
        picked |= {qs[int(i * step)].id for i in range(min(quota[c], len(qs)))}
    return [q for q in questions if q.id in picked]


class Recorder:
    """Wraps `answerer.ask_with_trace` as the `ask` run_eval calls, keeping each trace."""

    def __init__(self, answerer):
        self.answerer = answerer
        self.rows: list[dict] = []

    def __call__(self, question: str, history: list[str] | None = None):
        answer, trace = self.answerer.ask_with_trace(question, history)
        self.rows.append({"question": question, "mode": trace.mode, "fallback": answer.fallback,
                          "llm_calls": trace.llm_calls, "seconds": trace.seconds})
        return answer

    def stats(self) -> dict:
        n = len(self.rows)
        asked = [r for r in self.rows if r["mode"] != "deterministic"]
        fell_back = [r for r in asked if r["fallback"]]
        reasons = collections.Counter(r["fallback"].split("：", 1)[0] for r in fell_back)
        return {
            "questions": n,
            "model_asked": len(asked),
            "deterministic_only": n - len(asked),  # out of scope: refused by the router, model not asked
            "verified_llm_answers": len(asked) - len(fell_back),
            "fallbacks": len(fell_back),
            "fallback_rate": len(fell_back) / len(asked) if asked else 0.0,
            "fallback_reasons": dict(reasons.most_common()),
            "modes": dict(collections.Counter(r["mode"] for r in self.rows)),
            "llm_calls": sum(r["llm_calls"] for r in self.rows),
        }


def compare(settings, questions: list[EvalQuestion], answerer=None, **answerer_kwargs) -> tuple[EvalReport, EvalReport, dict]:
    """(deterministic report, generative report, generative stats) on the same questions."""
    from assistant.answer.service import Assistant
    from assistant.llm.generative import GenerativeAnswerer

    assistant = Assistant.from_settings(settings)
    deterministic = run_eval(assistant, questions)
    answerer = answerer or GenerativeAnswerer.from_settings(assistant, settings, **answerer_kwargs)
    recorder = Recorder(answerer)

    def progress(i: int, n: int) -> None:
        print(f"\r生成式评测 {i}/{n}", end="", file=sys.stderr, flush=True)

    generative = run_eval(assistant, questions, ask=recorder, label=f"llm:{settings.llm_backend}", progress=progress)
    print(file=sys.stderr)
    return deterministic, generative, recorder.stats()


def comparison_markdown(det: EvalReport, gen: EvalReport, stats: dict) -> str:
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    d, g = det.summary(), gen.summary()
    rows = [
        ("题数", d["questions"], g["questions"]),
        ("通过率（不含意图）", f"{pct(d['pass_rate'])}（{d['passed']}/{d['questions']}）",
         f"{pct(g['pass_rate'])}（{g['passed']}/{g['questions']}）"),
        ("引用逐字一致率", pct(d["citation_verbatim_rate"]), pct(g["citation_verbatim_rate"])),
        ("引用准确率", pct(d["citation_accuracy"]), pct(g["citation_accuracy"])),
        ("延迟 p50 / p95", f"{d['latency_p50_ms']:.0f} ms / {d['latency_p95_ms']:.0f} ms",
         f"{g['latency_p50_ms']:.0f} ms / {g['latency_p95_ms']:.0f} ms"),
        ("总用时", f"{d['seconds']:.1f} 秒", f"{g['seconds']:.1f} 秒"),
    ]
    lines = ["## 确定性 vs 生成式", "", "| 指标 | 确定性 | 生成式 |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    asked = stats["model_asked"]
    lines += [
        "",
        f"- 询问模型的题：{asked}（另有 {stats['deterministic_only']} 题超出文件范围，由确定性路径直接拒答，不调用模型）",
        f"- 模型回答通过核验并展示：{stats['verified_llm_answers']}；回退到确定性回答：{stats['fallbacks']}"
        f"（回退率 {pct(stats['fallback_rate'])}）",
        "- 回退原因：" + ("、".join(f"{k} {v}" for k, v in stats["fallback_reasons"].items()) or "无"),
        "- 路径：" + "、".join(f"{k} {v}" for k, v in stats["modes"].items()) + f"；模型调用共 {stats['llm_calls']} 次",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from assistant.llm.backends import LLMConfigError
    from assistant.settings import Settings, quiet_third_parties

    parser = argparse.ArgumentParser(prog="python -m assistant.llm.evaluate", description="生成式模式评测（与确定性结果对照）")
    parser.add_argument("--questions", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None, help="按类别均匀抽取的题数（默认全部）")
    parser.add_argument("--max-tokens", type=int, default=None, help="每次回答最多生成的 token 数")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    quiet_third_parties()
    settings = Settings.from_env()
    questions = spread_subset(load_questions(args.questions or default_questions_path()), args.limit)
    kwargs = {"max_tokens": args.max_tokens} if args.max_tokens else {}
    started = time.perf_counter()
    try:
        det, gen, stats = compare(settings, questions, **kwargs)
    except LLMConfigError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"deterministic": det.summary(), "generative": gen.summary(), "generative_stats": stats,
                          "per_category": {"deterministic": det.per_category, "generative": gen.per_category},
                          "question_ids": [q.id for q in questions], "seconds": time.perf_counter() - started},
                         ensure_ascii=False))
    else:
        print(comparison_markdown(det, gen, stats))
        print(gen.to_markdown(max_failures=40))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

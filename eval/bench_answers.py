"""Answer-level side by side (part of `make bench`): our answers against the common recipe's answer
(its top-5 chunks quoted, as a plain RAG chat shows them), both scored by the same judge
(`assistant.evaluation.judge`) on the blind sets, in one run; plus our warm answer latency.

    python eval/bench_answers.py [--sets eval/blind3.jsonl eval/blind4.jsonl] [--out eval/results]

Writes answers_side_by_side.md / .json. Uses the configured corpus and a fresh index in a temp dir.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "eval"))

DEFAULT_SETS = ("eval/blind3.jsonl", "eval/blind4.jsonl")


def recipe_answer(recipe, question: str, history: list[str]) -> dict:
    """What the recipe shows a user: the top-5 chunks for the question (with its history), quoted."""
    query = "；".join([*history, question]) if history else question
    hits = recipe.search(query)
    text = "以下是检索到的相关原文：\n" + "\n".join(f"[{i}] {h.text}" for i, h in enumerate(hits, 1))
    citations = [{"doc_id": h.doc_id, "quote": h.text, "start": h.start, "end": h.end, "verbatim": recipe.is_verbatim(h)}
                 for h in hits]
    return {"answer": text, "intent": "", "citations": citations, "tool_calls": [], "retrieved": []}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=[s for s in DEFAULT_SETS if (REPO / s).exists()])
    parser.add_argument("--out", default=str(REPO / "eval" / "results"))
    args = parser.parse_args(argv)

    from assistant.answer.service import Assistant
    from assistant.evaluation import judge, load_questions, percentile, run_eval
    from assistant.index.builder import build_index
    from assistant.settings import Settings, quiet_third_parties
    from baseline import CommonRecipe

    quiet_third_parties()
    tmp = Path(tempfile.mkdtemp(prefix="answers-bench-"))
    settings = Settings.from_env().with_(index_dir=tmp / "idx")
    build_index(settings, progress=False)
    ours = Assistant.from_settings(settings)
    recipe = CommonRecipe.from_settings(settings, tmp / "recipe")
    rows = []
    for name in args.sets:
        questions = load_questions(REPO / name)
        report = run_eval(ours, questions)
        passed_recipe = sum(judge(q, recipe_answer(recipe, q.question, list(q.history)), None).passed for q in questions)
        ours.index.query_vector.cache_clear()
        started = time.perf_counter()
        timings = []
        for q in questions:  # warm: the model is loaded; new questions (cache cleared above)
            t0 = time.perf_counter()
            ours.ask(q.question, list(q.history))
            timings.append((time.perf_counter() - t0) * 1000)
        rows.append({
            "set": name, "questions": len(questions), "ours_passed": report.passed,
            "recipe_passed": passed_recipe, "ours_wrong_figures": report.wrong_figure_count,
            "ratio": round(report.passed / passed_recipe, 2) if passed_recipe else None,
            "p50_ms": round(percentile(timings, 50), 1), "p95_ms": round(percentile(timings, 95), 1),
            "seconds": round(time.perf_counter() - started, 1),
        })
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "answers_side_by_side.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = ["# 答案层对比：我们的答案 vs 常见做法（检索前 5 段原样引用），同一评判", "",
             f"运行：{time.strftime('%Y-%m-%d %H:%M')}，命令 `python eval/bench_answers.py`（`make bench` 的一部分）", "",
             "| 题集 | 题数 | 我们通过 | 常见做法通过 | 倍数 | 我们的错误数字 | 热问答 p50 / p95 |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['set']} | {r['questions']} | {r['ours_passed']} | {r['recipe_passed']} | {r['ratio']}× | "
                     f"{r['ours_wrong_figures']} | {r['p50_ms']} / {r['p95_ms']} ms |")
    (out / "answers_side_by_side.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

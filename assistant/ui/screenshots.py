"""Drive the real app in Debian's Chromium: shared by tests/test_browser.py and the README screenshots.

    python -m assistant.ui.screenshots [docs/screenshots]

starts `app.py` on a free loopback port with the current settings (the index must be built), opens
each tab, and saves one PNG per tab at 1280 px and one at 390 px (a phone; `-390` in the name).
Playwright's own browser download is never used.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from assistant.processes import stop_process
from assistant.settings import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SAMPLE = REPO_ROOT / "eval" / "sample_schools.csv"
TAB_FILES = {"问答": "chat.png", "我的单位": "my-unit.png", "指标测算": "calculator.png",
             "文件": "documents.png", "新成员入门": "onboarding.png", "文件管理": "manage.png", "反馈": "feedback.png"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[str]:
    """Run `python app.py` in a subprocess on a free port; yield its URL; stop it afterwards."""
    port = free_port()
    full_env = {**os.environ, "ASSISTANT_HOST": "127.0.0.1", **(env or {}), "ASSISTANT_PORT": str(port)}
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, str(REPO_ROOT / "app.py")], env=full_env, cwd=REPO_ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url, proc, log, timeout)
            yield url
        finally:
            stop_process(proc)


def _wait_until_up(url: str, proc: subprocess.Popen, log, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    log.seek(0)
    raise RuntimeError(f"app.py did not answer on {url} within {timeout:.0f}s:\n{log.read()[-3000:]}")


@contextmanager
def browser_page(requests: list[str] | None = None, viewport: dict | None = None):
    """A Chromium page (Debian's binary); every URL the page requests is appended to `requests`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport or VIEWPORT, locale="zh-CN")
            if requests is not None:
                page.on("request", lambda r: requests.append(r.url))
            yield page
        finally:
            browser.close()


def non_local(urls: list[str]) -> list[str]:
    """Requests that left the machine (data:/blob: URLs never do)."""
    return sorted({u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
                   and urlparse(u).hostname not in LOCAL_HOSTS})


# ---------------------------------------------------------------- page actions

def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#question textarea", timeout=60_000)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def ask(page, question: str, expect: str, timeout: float = 60_000):
    """Send a question, wait for its turn to appear (the question and its answer arrive together),
    then for `expect` (e.g. a source title) in the chat."""
    turns = page.locator('#chatbot [data-testid="user"]').count()
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function(
        "n => document.querySelectorAll('#chatbot [data-testid=\"user\"]').length > n", arg=turns, timeout=timeout
    )
    found = page.locator("#chatbot").get_by_text(expect, exact=False).last
    found.wait_for(timeout=timeout)
    return found


def open_source(page, title: str):
    """Expand the last collapsible source with this title; return its content element."""
    group = page.locator("#chatbot .thought-group", has_text=title).last
    group.locator(".title").click()
    content = group.locator(".content")
    content.wait_for(timeout=10_000)
    return content


def open_section(page, *headings: str) -> None:
    """Click down the document tree by exact heading text (附件 must not match 附件说明)."""
    open_tab(page, "文件")
    for heading in headings:
        pattern = re.compile(f"^{re.escape(heading)}$")
        page.locator("#doc-tree summary").filter(has_text=pattern).first.click()


def open_unit(page, unit: str, typed: str | None = None) -> None:
    """Pick a unit in 我的单位: type `typed` (e.g. 住建) in the search box if given, then click the unit."""
    open_tab(page, "我的单位")
    if typed:
        page.fill("#unit-search input", typed)
        page.locator("#unit-hint", has_text="找到").wait_for(timeout=30_000)
    page.locator("#unit-pick").get_by_role("radio", name=unit, exact=True).check()
    page.locator("#unit-duties").wait_for(timeout=30_000)


def upload_schools(page, path: Path = SAMPLE) -> None:
    open_tab(page, "指标测算")
    page.set_input_files("#upload input[type=file]", str(path))
    page.locator("#calc-chart .js-plotly-plot").wait_for(timeout=60_000)


# ---------------------------------------------------------------- README screenshots

def take_tab_screenshots(url: str, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for viewport, suffix in ((VIEWPORT, ""), (PHONE, "-390")):
        with browser_page(viewport=viewport) as page:
            paths += _walk(page, url, out_dir, suffix)
    return paths


def _walk(page, url: str, out_dir: Path, suffix: str) -> list[Path]:
    def name(tab: str) -> Path:
        return out_dir / TAB_FILES[tab].replace(".png", f"{suffix}.png")

    open_app(page, url)
    ask(page, "市财政局负责什么？", "来源[1]")
    open_source(page, "来源[1]")
    paths = [_shot(page, name("问答"))]
    open_unit(page, "市公安局")
    paths.append(_shot(page, name("我的单位")))
    upload_schools(page)
    page.locator("#calc-chart").evaluate("e => e.scrollIntoView({block: 'start'})")
    paths.append(_shot(page, name("指标测算")))
    open_section(page, "二、主要任务", "（二）强化教师队伍管理", "1. 优化教师队伍结构")
    page.fill("#doc-query textarea", "交流轮岗")
    page.click("#doc-search")
    page.locator("#doc-hits", has_text="相关度").wait_for(timeout=30_000)
    page.locator("#doc-hits").evaluate("e => e.scrollIntoView({block: 'start'})")
    paths.append(_shot(page, name("文件")))
    open_tab(page, "新成员入门")
    page.locator("#briefing").wait_for(timeout=10_000)
    paths.append(_shot(page, name("新成员入门")))
    for tab in ("文件管理", "反馈"):
        open_tab(page, tab)
        paths.append(_shot(page, name(tab)))
    return paths


def _shot(page, path: Path) -> Path:
    time.sleep(0.5)  # let the last render settle
    page.screenshot(path=str(path))
    _shrink(path)
    return path


def _shrink(path: Path) -> None:
    """256-colour PNG: text and flat UI survive it, and the committed files stay small."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else REPO_ROOT / "docs" / "screenshots"
    if not CHROMIUM.exists():
        print("找不到 /usr/bin/chromium：请先运行 make browser", file=sys.stderr)
        return 1
    with serve() as url:
        for path in take_tab_screenshots(url, out_dir):
            print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

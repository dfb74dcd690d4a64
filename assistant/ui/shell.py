"""The app shell in Chinese whatever the browser says, and the page scripts of the chat tab.

gradio picks its interface language from `navigator.language` when its scripts start: an en-US
browser gets "Drop File Here", "Use via API", "Settings". `ForceChinese` puts a script at the top of
the page's <head> (before gradio's own) that makes the page's language zh-CN, and sets <html lang>.
gradio's zh-CN table lacks a few keys (a screen reader would hear "common.complete"): `TRANSLATIONS`
adds them; `CLIENT_JS` turns the few labels gradio hard-codes in English into Chinese.
"""
from __future__ import annotations

import json

LOCALE = "zh-CN"

# Keys gradio's frontend uses that its zh-CN table does not have (gradio 6.x), in our wording.
TRANSLATIONS = {
    LOCALE: {
        "chatbot.copy_message": "复制回答（含来源）",
        "chatbot.copied_message": "已复制",
        "common.complete": "已完成",
        "common.progress": "进度",
        "common.upload": "上传",
        "common.download_all": "全部下载",
        "common.video": "视频",
        "common.webcam": "摄像头",
        "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
        "dataframe.filter": "筛选",
        "dataframe.clear_filter": "清除筛选",
        "dataframe.import_empty_file": "拖入的文件是空的。",
        "dataframe.import_fixed_columns": "此表固定为 {expected} 列，文件有 {actual} 列。",
        "dataframe.import_fixed_rows": "此表固定为 {expected} 行，文件有 {actual} 行。",
        "dataframe.import_no_column_names": "拖入的文件没有列名。",
        "dataframe.import_ragged_row": "文件第 {line} 行有 {fields} 个字段，表头有 {columns} 个。",
        "dataframe.import_static_columns": "此表有只读的列，不能导入。",
        "audio.recording_error": "无法开始录音。",
    }
}

# Labels and tooltips gradio writes in English without a translation key (aria-label, title), for
# the components this app uses.
ARIA_LABELS = {
    "chatbot conversation": "对话记录",
    "More tabs": "更多标签页",
    "Gradio footer navigation": "页脚导航",
    "Clear": "清除",
    "Close": "关闭",
    "Download": "下载",
    "Click to upload or drop files": "点击上传或拖放文件",
    "Upload a file": "上传文件",
    "Choose a file": "选择文件",
    "Drop a file here, or click to browse": "将文件拖放到此处，或点击选择",
    "Table actions": "表格操作",
    "Copy table data": "复制表格数据",
    "Copied to clipboard": "已复制",
    "Copy conversation": "复制全部对话",
    "Copied conversation": "已复制全部对话",
    "Fullscreen": "全屏",
    "Exit fullscreen": "退出全屏",
    "Exit fullscreen mode": "退出全屏",
    "Scroll down": "滚动到底部",
    "View full screen": "全屏查看",
    "Empty value": "空",
    "Select/Deselect All": "全选/全不选",
    "Apply filter and update dataframe values": "应用筛选",
}
# A component without a label gets gradio's class name as its (screen-reader) label.
DEFAULT_LABELS = {"Textbox": "文本框", "Number": "数字", "Dropdown": "下拉框", "Checkbox": "复选框",
                  "File": "文件", "Dataframe": "表格", "HTML": "内容", "Markdown": "内容"}

FORCE_LOCALE_SCRIPT = (
    "<script>(function(){var l=%s;try{"
    "Object.defineProperty(navigator,'language',{get:function(){return l},configurable:true});"
    "Object.defineProperty(navigator,'languages',{get:function(){return [l,'zh']},configurable:true});"
    "document.documentElement.setAttribute('lang',l);}catch(e){}})();</script>" % json.dumps(LOCALE)
)


def i18n():
    import gradio as gr

    return gr.I18n(**TRANSLATIONS)


def with_locale(page: bytes) -> bytes:
    """The page with the locale script first in <head> and <html lang> set to Chinese."""
    text = page.decode("utf-8")
    if FORCE_LOCALE_SCRIPT in text:
        return page
    text = text.replace('lang="en"', f'lang="{LOCALE}"', 1)
    at = text.find("<head>")
    if at == -1:
        return page
    at += len("<head>")
    return (text[:at] + FORCE_LOCALE_SCRIPT + text[at:]).encode("utf-8")


class ForceChinese:
    """ASGI middleware: the web app's page (GET / and HEAD /) always starts in Chinese."""

    def __init__(self, app, paths: tuple[str, ...] = ("/",)):
        self.app = app
        self.paths = set(paths)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        # Uncompressed, so the page can be edited (gradio would compress it for a browser).
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: dict = {}
        body = bytearray()

        async def capture(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                kind = dict(message.get("headers") or []).get(b"content-type", b"")
                if not kind.startswith(b"text/html"):
                    start = {}
                    await send(message)
                return
            if not start:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            page = with_locale(bytes(body)) if scope["method"] == "GET" else bytes(body)
            out = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            if scope["method"] == "GET":
                out.append((b"content-length", str(len(page)).encode()))
            else:
                out += [(k, v) for k, v in start.get("headers") or [] if k.lower() == b"content-length"]
            await send({**start, "headers": out})
            await send({"type": "http.response.body", "body": page, "more_body": False})

        await self.app(scope, receive, capture)


# ---------------------------------------------------------------- page scripts

# Run once when the app has loaded (gradio's `js` launch option). window.policyAssistant is what the
# chat tab's events call (`js=` on .then): scroll to the new question, show the highlighted passage.
CLIENT_JS = """
() => {
  if (window.policyAssistant) return;
  const ARIA = %(aria)s;
  const LABELS = %(labels)s;
  const COPY = new Set(%(copy)s);
  const setValue = (id, value) => {
    const el = document.querySelector(`#${id} textarea, #${id} input`);
    if (!el) return false;
    const proto = Object.getPrototypeOf(el);
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
    el.dispatchEvent(new Event('input', {bubbles: true}));
    return true;
  };
  const scrollParent = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  };
  const copyTexts = () => {
    const el = document.querySelector('#copy-texts textarea, #copy-texts input');
    try { return JSON.parse(el ? el.value : '[]'); } catch (e) { return []; }
  };
  const writeClipboard = async (text) => {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.left = '-9999px';
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  const rowOf = (button) => {
    const bar = button.closest('.message-buttons');
    let row = bar ? bar.previousElementSibling : null;
    while (row && !row.classList.contains('message-row')) row = row.previousElementSibling;
    return row;
  };
  document.addEventListener('click', (event) => {
    const cite = event.target.closest('#chatbot .cite-ref');
    if (cite) {
      event.preventDefault();
      event.stopPropagation();
      setValue('cite-request', cite.value + '|' + Date.now());
      return;
    }
    const button = event.target.closest('#chatbot button');
    if (!button || !COPY.has(button.getAttribute('aria-label') || '')) return;
    const row = rowOf(button);
    if (!row) return;
    const bot = row.classList.contains('bot-row');
    const rows = [...document.querySelectorAll(`#chatbot .message-row.${bot ? 'bot-row' : 'user-row'}`)];
    const turn = copyTexts()[rows.indexOf(row)];
    if (!turn) return;
    event.preventDefault();
    event.stopPropagation();
    writeClipboard(turn[bot ? 1 : 0]).then(() => {
      const label = %(copied)s;
      const old = button.getAttribute('title');
      button.setAttribute('title', label);
      setTimeout(() => button.setAttribute('title', old), 1500);
    });
  }, true);
  const fixAria = (el) => {
    if (!el.getAttribute) return;
    const title = el.getAttribute('title');
    if (title && ARIA[title]) el.setAttribute('title', ARIA[title]);
    const value = el.getAttribute('aria-label');
    if (!value) return;
    if (ARIA[value]) { el.setAttribute('aria-label', ARIA[value]); return; }
    const m = /^(user|bot)'s message: /.exec(value);
    if (m) {
      const text = (el.innerText || '').trim().slice(0, 500);
      el.setAttribute('aria-label', (m[1] === 'user' ? '提问：' : '回答：') + text);
    }
  };
  const fixLabel = (el) => {
    const text = el.textContent.trim();
    if (LABELS[text] && el.children.length === 0) el.textContent = LABELS[text];
  };
  const fixAll = (root) => {
    fixAria(root);
    if (!root.querySelectorAll) return;
    root.querySelectorAll('[aria-label], [title]').forEach(fixAria);
    root.querySelectorAll('label span, .sr-only, [data-testid="block-info"]').forEach(fixLabel);
  };
  // The progress text gradio writes itself: "processing | 1.2s", "queue: 1/3 |".
  const STATUS = [[/^(\s*)processing \|/, '$1处理中 |'], [/^(\s*)queue: /, '$1排队：']];
  const fixStatus = (node) => {
    if (node.nodeType !== 3 || !/processing|queue/.test(node.data)) return;
    for (const [pattern, text] of STATUS) if (pattern.test(node.data)) node.data = node.data.replace(pattern, text);
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'characterData') { fixStatus(change.target); continue; }
      change.addedNodes.forEach(fixStatus);
      if (change.type === 'attributes') fixAria(change.target);
      else change.addedNodes.forEach((n) => {
        if (n.nodeType === 1) fixAll(n);
        else if (n.parentElement) fixAll(n.parentElement);
      });
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ['aria-label', 'title']});
  fixAll(document.body);
  window.policyAssistant = {
    scrollToLastQuestion() {
      setTimeout(() => {
        const rows = document.querySelectorAll('#chatbot .message-row.user-row');
        const row = rows[rows.length - 1];
        const box = row && scrollParent(row);
        if (!box) return;
        box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
      }, 60);
    },
    showMark(tries = 50) {
      // On a busy machine the viewer's HTML can land after this runs: retry until the mark is there.
      setTimeout(() => {
        const mark = document.getElementById('cite-mark');
        const box = document.getElementById('viewer-text');
        if (!mark || !box) { if (tries > 0) this.showMark(tries - 1); return; }
        box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 48;
        const panel = document.getElementById('viewer');
        if (panel) panel.scrollIntoView({block: 'nearest'});
      }, 60);
    },
  };
}
""" % {
    "aria": json.dumps(ARIA_LABELS, ensure_ascii=False),
    "labels": json.dumps(DEFAULT_LABELS, ensure_ascii=False),
    "copy": json.dumps([TRANSLATIONS[LOCALE]["chatbot.copy_message"], TRANSLATIONS[LOCALE]["chatbot.copied_message"],
                        "Copy message", "Copied message"], ensure_ascii=False),
    "copied": json.dumps(TRANSLATIONS[LOCALE]["chatbot.copied_message"], ensure_ascii=False),
}

SCROLL_TO_QUESTION_JS = "() => { window.policyAssistant && window.policyAssistant.scrollToLastQuestion(); }"
SHOW_MARK_JS = "() => { window.policyAssistant && window.policyAssistant.showMark(); }"

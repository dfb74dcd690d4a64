"""/docs: the generated OpenAPI description as one self-contained page. FastAPI's own Swagger page
loads its scripts from a CDN, and this app loads nothing from outside the machine."""
from __future__ import annotations

import html
import json

METHODS = ("get", "post", "put", "delete")


def docs_html(schema: dict) -> str:
    parts = [f"<h1>{_e(schema['info']['title'])}</h1>", f"<p>{_e(schema['info'].get('description', ''))}</p>",
             '<p>机器可读的接口描述：<a href="/openapi.json">/openapi.json</a>（OpenAPI 3）。</p>']
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                parts.append(_operation(method, path, item[method], schema))
    return PAGE.format(title=_e(schema["info"]["title"]), body="\n".join(parts))


def _operation(method: str, path: str, op: dict, schema: dict) -> str:
    out = [f'<section><h2><code class="m">{method.upper()}</code> <code>{_e(path)}</code> {_e(op.get("summary", ""))}</h2>',
           f'<p class="d">{_e(op.get("description", ""))}</p>']
    for param in op.get("parameters", []):
        out.append(f"<p>路径/查询参数 <code>{_e(param['name'])}</code>：{_e(param.get('description', ''))}</p>")
    body = op.get("requestBody", {}).get("content", {})
    for kind, content in body.items():
        out.append(f"<h3>请求（{_e(kind)}）</h3>" + _fields(content.get("schema", {}), schema))
    ok = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    if ok.get("schema"):
        out.append("<h3>响应</h3>" + _fields(ok["schema"], schema))
    errors = [f"{code} {_e(r.get('description', ''))}" for code, r in op.get("responses", {}).items() if code != "200"]
    if errors:
        out.append("<p>错误（均为 <code>{\"error\": {\"code\", \"message\"}}</code>）：" + "；".join(errors) + "</p>")
    return "\n".join(out) + "</section>"


def _fields(ref: dict, schema: dict) -> str:
    model = _resolve(ref, schema)
    props = model.get("properties", {})
    if not props:
        return f"<pre>{_e(json.dumps(model, ensure_ascii=False))}</pre>"
    required = set(model.get("required", []))
    rows = [f"<tr><td><code>{_e(name)}</code>{'（必填）' if name in required else ''}</td>"
            f"<td>{_e(_type(prop, schema))}</td><td>{_e(prop.get('description', ''))}</td></tr>"
            for name, prop in props.items()]
    return "<table><tr><th>字段</th><th>类型</th><th>说明</th></tr>" + "".join(rows) + "</table>"


def _resolve(ref: dict, schema: dict) -> dict:
    if "$ref" in ref:
        return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return ref


def _type(prop: dict, schema: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[1]
    if "anyOf" in prop:
        return " | ".join(_type(p, schema) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"array[{_type(prop.get('items', {}), schema)}]"
    if "enum" in prop or "const" in prop:
        return " | ".join(map(str, prop.get("enum", [prop.get("const")])))
    return str(prop.get("type", "any"))


def _e(text) -> str:
    return html.escape(str(text), quote=True)


PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 1em;line-height:1.5}}
section{{border-top:1px solid #ccc;margin-top:1.5em}} code.m{{background:#1565c0;color:#fff;padding:0 .4em}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #ddd;padding:2px 6px;vertical-align:top;text-align:left}}
.d{{white-space:pre-wrap}}</style></head><body>{body}</body></html>"""

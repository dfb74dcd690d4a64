"""Question clean-up: Unicode forms, control characters, traditional characters, the length cap."""
from __future__ import annotations

import re
import unicodedata

# Control characters, zero-width marks and lone surrogates (invalid UTF-8 from a terminal or a web client).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Zero-width marks pasted inside a word ("市财\u200b政局") vanish; they must not split it.
ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
# Common traditional forms in policy questions; enough to answer 繁體 questions as usual.
TRADITIONAL = str.maketrans(
    "財務負責學師資標準體藝術專職責們誰說麼這個單位與區鎮縣級經費養護教會議員組長團聯殘婦衛健監執農運輸處規劃設計條辦稅網溺應急業資數據統計戶籍費給為幾個項",
    "财务负责学师资标准体艺术专职责们谁说么这个单位与区镇县级经费养护教会议员组长团联残妇卫健监执农运输处规划设计条办税网溺应急业资数据统计户籍费给为几个项",
)


# A space typed as punctuation between two phrases ("学生1260人 老师71个 达标吗") is a clause break;
# so is one after a number its noun came before ("学生1500 仪器设备总值390万"); a space inside a short
# name ("王 进", as the roster prints names), before a number, or after one that opens ("850 学生") is not.
PHRASE_SPACE = re.compile(r"(?<=[^\s，,。；;：:？?！!][\u4e00-\u9fff]) (?=[\u4e00-\u9fff]{2})")
NAMED_NUMBER_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])([0-9][0-9.]*) (?=[\u4e00-\u9fff]{2})")


def clean_question(question: str, max_chars: int) -> tuple[str, str]:
    """(cleaned question, notice for the user or "")."""
    text = unicodedata.normalize("NFKC", question or "")
    text = CONTROL.sub(" ", ZERO_WIDTH.sub("", text)).translate(TRADITIONAL)
    text = PHRASE_SPACE.sub("，", re.sub(r"\s+", " ", text).strip())
    text = NAMED_NUMBER_SPACE.sub(r"\1，", text)
    notice = ""
    if len(text) > max_chars:
        text = text[:max_chars]
        notice = f"问题过长，只处理了前 {max_chars} 个字。"
    return text, notice

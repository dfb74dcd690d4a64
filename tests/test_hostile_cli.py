"""Careless command lines (issue 16): a broken batch line, lone surrogates, an out-of-range -k.
Real `assistant` processes on the session's index; every refusal is one Chinese line and exit code 2."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.test_index import assert_clean_error, assistant_cmd, cli_env, run_cli

pytestmark = pytest.mark.slow

GOOD = ["市财政局负责什么？", "专班组长是谁？"]


def test_a_broken_batch_line_never_stops_the_batch(built_settings, tmp_path):
    lines = [
        json.dumps({"id": "a", "question": GOOD[0]}, ensure_ascii=False).encode("utf-8"),
        b'{"id": "escaped", "question": "\\udc00 \xe5\xb8\x82\xe8\xb4\xa2\xe6\x94\xbf\xe5\xb1\x80\xe8\xb4\x9f\xe8\xb4\xa3\xe4\xbb\x80\xe4\xb9\x88"}',
        b'{"id": "raw bytes", "question": "\xed\xb0\x80"}',  # a surrogate encoded as UTF-8: not valid UTF-8
        b'{"id": "latin-1", "question": "caf\xe9"}',
        json.dumps({"id": "b", "question": GOOD[1]}, ensure_ascii=False).encode("utf-8"),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    proc = run_cli(built_settings, "ask", "--batch", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "escaped", "3", "4", "b"]
    assert out[0]["answer"] and out[4]["answer"] and out[0]["intent"] == "duty"
    assert out[1]["intent"] == "duty" and "\ufffd" in out[1]["question"]  # answered; the surrogate shown as �
    for bad in out[2:4]:
        assert "UTF-8" in bad["error"] and "codec" not in bad["error"]


def test_a_surrogate_in_argv_is_answered(built_settings):
    """Invalid UTF-8 on the command line arrives as surrogate escapes; printing them must not fail."""
    question = os.fsdecode("市财政局负责什么".encode("utf-8") + b"\xff")
    proc = subprocess.run(assistant_cmd("ask", question, "--json"), env=cli_env(built_settings),
                          capture_output=True, timeout=240)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert json.loads(proc.stdout.decode("utf-8"))["intent"] == "duty"


@pytest.mark.parametrize("k", ["-1", "0", "51", "100000000", "abc", "1.5"])
def test_search_refuses_a_k_out_of_range(built_settings, k):
    proc = run_cli(built_settings, "search", "校车安全", "-k", k)
    assert_clean_error(proc, "-k")
    assert proc.returncode == 2 and "1–50" in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("k", ["1", "50"])
def test_search_accepts_the_ends_of_the_range(built_settings, k):
    proc = run_cli(built_settings, "search", "校车安全", "-k", k, "--json")
    assert proc.returncode == 0, proc.stderr
    assert 1 <= len(json.loads(proc.stdout)) <= int(k)

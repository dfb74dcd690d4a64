"""Child processes we start ourselves (the local model server, the web app in tests and benchmarks)."""
from __future__ import annotations

import subprocess


def stop_process(proc: subprocess.Popen, grace_s: float = 15.0) -> None:
    """Ask a child to stop (SIGTERM), and kill it if it has not stopped after `grace_s`."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

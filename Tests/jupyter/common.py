"""Shared helpers for the kernel tests: the rlhf binary and running a cell to its idle status."""
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RLHF = os.environ.get("RLHF_BINARY", os.path.join(ROOT, ".build", "release", "rlhf"))


def terminal_output(commands):
    """What `rlhf -c COMMANDS` prints: the notebook's text/plain must be the same."""
    done = subprocess.run([RLHF, "-c", commands], capture_output=True, text=True, timeout=60)
    return done.stdout.rstrip("\n")


def run_cell(kc, code, timeout=60):
    """Executes a cell; returns (reply, [iopub messages up to idle]) for this request only."""
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=timeout)
    assert reply["parent_header"]["msg_id"] == msg_id, reply
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return reply, messages
    raise AssertionError(f"no idle status for {code!r} within {timeout} s")

#!/usr/bin/env python3
"""Run a command on a real terminal (a pseudo-terminal) and answer its prompts, as a person would.

Reads a JSON spec on stdin:
  {"argv": [...], "cwd": "...", "env": {...}, "timeout": 120,
   "steps": [{"expect": "<regex>", "send": "<text>"}, ...]}
Each step waits for its regex in what the program printed since the previous step's match, then
types its text (a "\\r" is the Enter key). After the last step it reads until the program ends.
Prints one JSON object: {"code": <exit code or null>, "transcript": "<all it printed>",
"unanswered": <index of the step that timed out, or null>}.

Python's own pty module (standard library) stands for a terminal emulator: the program sees a
tty on stdin, stdout and stderr, so it asks questions and hides typed keys as it does for a user.
"""
import json
import os
import pty
import re
import select
import sys
import time


def main():
    spec = json.load(sys.stdin)
    deadline = time.monotonic() + float(spec.get("timeout", 120))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
        os.chdir(spec["cwd"])
        os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
    transcript = b""
    seen = 0  # where the next step's search starts
    unanswered = None

    def read_some(wait):
        nonlocal transcript
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the program closed the terminal (it ended)
            return False
        if not chunk:
            return False
        transcript += chunk
        return True

    alive = True
    for index, step in enumerate(spec["steps"]):
        pattern = re.compile(step["expect"].encode())
        while True:
            match = pattern.search(transcript, seen)
            if match:
                seen = match.end()
                break
            if not alive or time.monotonic() > deadline:
                unanswered = index
                break
            alive = read_some(0.2)
        if unanswered is not None:
            break
        os.write(fd, step["send"].encode())
    while alive and time.monotonic() < deadline:
        alive = read_some(0.2)
    if alive:  # still running past the deadline
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
    json.dump({"code": code if code >= 0 else None, "transcript": transcript.decode("utf-8", "replace"),
               "unanswered": unanswered}, sys.stdout)


if __name__ == "__main__":
    main()

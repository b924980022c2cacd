"""The step of the GitHub Action (``action.yml``): run one fabric-git command from its inputs.

The inputs arrive as environment variables, never spliced into a script:
``FABRIC_GIT_ACTION_COMMAND`` (``update``, ``operation wait``, ...) and
``FABRIC_GIT_ACTION_OPTIONS`` (shell words, split as a POSIX shell splits them and never
evaluated), and ``FABRIC_GIT_ACTION_WORKSPACE`` (sets ``FABRIC_GIT_WORKSPACE`` when not empty).
The command's output passes through and its exit code is the step's. Step outputs (to
``$GITHUB_OUTPUT``): ``exit-code``; ``operation-id`` when a wait ran out (exit code 6: resume it
with ``operation wait``); ``result``, the command's stdout (its JSON document with ``-o json``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import uuid
from typing import IO

USAGE = 2
OPERATION_PREFIX = "operation id: "


def _arguments(environ: dict[str, str]) -> list[str]:
    command = shlex.split(environ.get("FABRIC_GIT_ACTION_COMMAND", ""))
    options = shlex.split(environ.get("FABRIC_GIT_ACTION_OPTIONS", ""))
    if not command:
        raise ValueError("the 'command' input is empty: name a fabric-git command, e.g. status")
    return [*command, *options]


def _relay(stream: IO[str], found: list[str]) -> None:
    """Copy the command's stderr as it comes; keep the operation id it names."""
    for line in stream:
        sys.stderr.write(line)
        sys.stderr.flush()
        if line.startswith(OPERATION_PREFIX):
            found.append(line[len(OPERATION_PREFIX) :].strip())


def _set_outputs(values: dict[str, str]) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as outputs:
        for name, value in values.items():
            delimiter = f"EOF_{uuid.uuid4().hex}"  # the value cannot end the block early
            outputs.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def main() -> int:
    environ = dict(os.environ)
    try:
        args = _arguments(environ)
    except ValueError as error:
        print(f"::error title=fabric-git action::{error}", file=sys.stderr)
        _set_outputs({"exit-code": str(USAGE)})
        return USAGE
    workspace = environ.pop("FABRIC_GIT_ACTION_WORKSPACE", "")
    if workspace:
        environ["FABRIC_GIT_WORKSPACE"] = workspace
    process = subprocess.Popen(
        ["fabric-git", *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    operation: list[str] = []
    relay = threading.Thread(target=_relay, args=(process.stderr, operation), daemon=True)
    relay.start()
    result = process.stdout.read()
    code = process.wait()
    relay.join()
    sys.stdout.write(result)
    outputs = {"exit-code": str(code), "result": result.rstrip("\n")}
    if operation:
        outputs["operation-id"] = operation[-1]
    _set_outputs(outputs)
    return code


if __name__ == "__main__":
    sys.exit(main())

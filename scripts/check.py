"""Everything `make test` runs, in order: the linter, the formatter check, the type checker, the test suite.

One command for developers and CI alike (httpx's scripts/ idea). Extra arguments go to pytest.
"""

from __future__ import annotations

import subprocess
import sys

STEPS: list[list[str]] = [
    [sys.executable, "-m", "ruff", "check", "."],
    [sys.executable, "-m", "ruff", "format", "--check", "."],
    [sys.executable, "-m", "mypy"],
]


def main(argv: list[str]) -> int:
    for step in STEPS:
        print("+", " ".join(step[2:]), flush=True)
        if subprocess.run(step, check=False).returncode != 0:
            return 1
    pytest = [sys.executable, "-m", "pytest", *argv]
    print("+", " ".join(pytest[2:]), flush=True)
    return subprocess.run(pytest, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

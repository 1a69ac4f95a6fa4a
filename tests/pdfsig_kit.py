"""poppler's pdfsig over an NSS database that trusts only the test root CA (as an office's validator would)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = ("pdfsig", "certutil")


def nss_db_trusting(directory: Path, root: Path) -> str:
    """An NSS database in ``directory`` trusting only ``root``; skips (fails in CI) without poppler or NSS."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install poppler-utils libnss3-tools"
        if os.environ.get("CI"):
            pytest.fail(message)  # .ci/run installs them: never skip in CI
        pytest.skip(message)
    nssdir = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "-d", nssdir, "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-d", nssdir, "-n", "siakgate-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
        capture_output=True,
    )
    return nssdir

"""pyHanko's ``adesverify`` with its defaults, as an auditor runs it: the independent bar for a signed KK.

``pyhanko sign adesverify --executive-summary --trust certs/root-ca.crt --trust-replace KK.pdf`` runs in a
subprocess. ``offline=True`` takes the network away from it (every socket connect fails, the situation of
a court or an archive with the BSrE services out of reach); ``at`` moves its clock (time-machine), for a
validation years after signing.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mock_bsre.pki import load_pki

_RUNNER = r"""
import socket, sys
from datetime import datetime

path, offline, at = sys.argv[1], sys.argv[2] == "offline", sys.argv[3]
if offline:
    def refuse(*args, **kwargs):
        raise OSError("offline: no network for this validation")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
if at:
    import time_machine
    time_machine.travel(datetime.fromisoformat(at), tick=True).start()
from pyhanko.cli import cli_root
sys.argv = ["pyhanko", "sign", "adesverify", "--executive-summary", "--trust", sys.argv[4], "--trust-replace", path]
cli_root(prog_name="pyhanko")
"""


@dataclass(frozen=True)
class AdesVerdict:
    valid: bool
    output: str


def adesverify(pdf: Path, *, offline: bool, at: datetime | None = None) -> AdesVerdict:
    """The executive summary of ``pyhanko sign adesverify`` for every signature in ``pdf``."""
    root = load_pki().certs_dir / "root-ca.crt"
    args = [str(pdf), "offline" if offline else "online", at.isoformat() if at else "", str(root)]
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER, *args], capture_output=True, text=True, timeout=120, check=False
    )
    output = result.stdout + result.stderr
    verdicts = [line.rsplit(":", 1)[1] for line in result.stdout.splitlines() if line.count(":") >= 2]
    return AdesVerdict(result.returncode == 0 and bool(verdicts) and all(v == "VALID" for v in verdicts), output)

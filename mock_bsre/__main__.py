"""``python -m mock_bsre --host 127.0.0.1 --port 8082 --state-dir var/mock_bsre [fault
options]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_common.faults import add_cli_options, config_from_args
from mock_common.server import serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mock_bsre", description="Mock BSrE Esign Client Service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--state-dir", type=Path, default=Path("var/mock_bsre"))
    parser.add_argument("--certs-dir", type=Path, default=None, help="test PKI (default: certs/)")
    parser.add_argument("--pades-level", choices=["B-B", "B-T"], default="B-T")
    add_cli_options(parser)
    args = parser.parse_args(argv)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    config = BsreMockConfig(
        state_dir=args.state_dir,
        certs_dir=args.certs_dir,
        faults=config_from_args(args),
        pades_level=args.pades_level,
    )
    serve_forever(create_app(config), args.host, args.port, "mock_bsre")


if __name__ == "__main__":
    main()

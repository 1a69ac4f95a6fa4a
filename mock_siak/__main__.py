"""``python -m mock_siak``: serve mock SIAK in the foreground."""

from __future__ import annotations

import argparse
from pathlib import Path

from mock_common.faults import add_cli_options, config_from_args
from mock_common.server import serve_forever
from mock_siak.app import create_app
from mock_siak.config import SiakMockConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mock_siak", description="Mock SIAK (SOAP).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--state-dir", type=Path, default=Path("var/mock_siak"))
    parser.add_argument("--families", type=int, default=3000, help="population size at first start")
    parser.add_argument("--seed", type=int, default=20261122, help="population seed at first start")
    add_cli_options(parser)
    args = parser.parse_args(argv)
    config = SiakMockConfig(
        state_dir=args.state_dir,
        families=args.families,
        seed=args.seed,
        faults=config_from_args(args),
    )
    serve_forever(create_app(config), args.host, args.port, "mock_siak")


if __name__ == "__main__":
    main()

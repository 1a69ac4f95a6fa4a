"""``python -m mock_bsre --host 127.0.0.1 --port 8082 --state-dir var/mock_bsre [--certs-dir DIR] [fault
options]``.

The test PKI's certificates name the address of their OCSP, CRL and caIssuers services (``certs/``: port 8082).
On any other address, serve a PKI made for it (``python certs/generate.py --url http://HOST:PORT --out DIR``, then
``--certs-dir DIR`` or ``SIAKGATE_CERTS_DIR=DIR``); otherwise validators ask whatever listens on 8082, and the
mock says so when it starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mock_bsre.app import create_app
from mock_bsre.config import SIGNATURE_FORMATS, V1_ERROR_SHAPES, BsreMockConfig
from mock_bsre.pki import load_pki
from mock_common.faults import add_cli_options, config_from_args
from mock_common.server import serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mock_bsre", description="Mock BSrE Esign Client Service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--state-dir", type=Path, default=Path("var/mock_bsre"))
    parser.add_argument(
        "--certs-dir", type=Path, default=None, help="test PKI (default: $SIAKGATE_CERTS_DIR, else certs/)"
    )
    parser.add_argument("--pades-level", choices=["B-B", "B-T"], default="B-T")
    parser.add_argument(
        "--v1-errors",
        choices=V1_ERROR_SHAPES,
        default="text",
        help="where v1 sign errors carry the reason code: at the end of the error text (default) or in status_code",
    )
    parser.add_argument(
        "--signature-format",
        choices=SIGNATURE_FORMATS,
        default="pades",
        help="sub-filter of the signatures made: ETSI.CAdES.detached (pades, default) or adbe.pkcs7.detached",
    )
    parser.add_argument("--csc-strict", action="store_true", help="CSC API refuses CSC v1 field names (hash, hashAlgo)")
    add_cli_options(parser)
    args = parser.parse_args(argv)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    config = BsreMockConfig(
        state_dir=args.state_dir,
        certs_dir=args.certs_dir,
        faults=config_from_args(args),
        pades_level=args.pades_level,
        v1_error_shape=args.v1_errors,
        signature_format=args.signature_format,
        csc_strict=args.csc_strict,
    )
    warning = address_mismatch(args.certs_dir, f"http://{args.host}:{args.port}")
    if warning:
        print(warning, file=sys.stderr, flush=True)
    serve_forever(create_app(config), args.host, args.port, "mock_bsre")


def address_mismatch(certs_dir: Path | None, url: str) -> str | None:
    """Why validators of this PKI's signatures will not reach the mock at ``url``; None when they will."""
    pki = load_pki(certs_dir)
    if pki.base_url is None or pki.base_url == url:
        return None
    return (
        f"mock_bsre: WARNING: the test PKI in {pki.certs_dir} sends OCSP, CRL and caIssuers requests to "
        f"{pki.base_url}, not to this mock at {url}. Serve a PKI made for this address: "
        f"python certs/generate.py --url {url} --out DIR, then --certs-dir DIR."
    )


if __name__ == "__main__":
    main()

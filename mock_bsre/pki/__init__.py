"""PKI services of mock BSrE: the test PKI (certs/) and its OCSP, CRL, TSA and cert endpoints.

``load_pki()`` reads the material ``certs/generate.py`` produced; ``pki_routes(pki)`` are the
Starlette routes the BSrE app mounts under ``/pki``. Imports nothing from siakgate.
"""

from mock_bsre.pki.routes import pki_routes
from mock_bsre.pki.store import Pki, PkiError, Revocation, default_certs_dir, load_pki

__all__ = ["Pki", "PkiError", "Revocation", "default_certs_dir", "load_pki", "pki_routes"]

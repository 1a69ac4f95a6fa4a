"""Regenerate the siakgate test PKI from certs/certomancer.yml (TEST MATERIAL ONLY).

Usage::

    python certs/generate.py              # keep existing keys, (re)build everything else
    python certs/generate.py --new-keys   # also replace every private key
    python certs/generate.py --url http://127.0.0.1:9182 --out var/pki/9182   # the same PKI, served elsewhere

Keys are created with ``cryptography`` when missing (RSA-2048, or ECDSA P-256 where the config's
``siakgate.key-types`` says so) and kept otherwise, so that rerunning the script yields the same
certificates: subjects, serials and validity come from the config, and the CAs sign with
deterministic RSA PKCS#1 v1.5, so the certificate bytes are identical. PKCS#12 files are only
rewritten when their content would change (their encryption salt is random), so a rerun leaves the
working tree clean.

Outputs, next to this script: ``keys/<name>.key.pem`` (unencrypted PKCS#8), ``<name>.crt`` (PEM),
``p12/<name>.p12`` and ``manifest.json``. Revocation (CRLs, OCSP) is served live by mock_bsre.pki.

Every URL in the certificates (OCSP, CRL distribution points, caIssuers) starts with the config's
``external-url-prefix`` (mock BSrE on 127.0.0.1:8082). ``--url BASE --out DIR`` writes a *variant*
for a mock BSrE served at BASE: the same keys (copied from ``keys/``, never generated), subjects,
serials and validity, with every URL that starts with the prefix moved to BASE. The root CA carries
no URL, so its certificate, the one trust anchor, is identical in every variant. A variant's
manifest records what it was made from (``source``), so a caller can tell whether it is current
(:func:`variant_is_current`) instead of rebuilding it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from certomancer.registry import (
    ArchLabel,
    CertLabel,
    CertomancerConfig,
    ExtensionPlugin,
    extension_plugin_registry,
)
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

CERTS_DIR = Path(__file__).resolve().parent
CONFIG_FILE = "certomancer.yml"
ARCH = "siakgate"
TRUST_ANCHOR = "root-ca"
MANIFEST_VERSION = 1
URL_PREFIX_KEY = "external-url-prefix"


class CrlUrlsPlugin(ExtensionPlugin):
    """``crl-urls`` smart value: CRL distribution points from plain URLs.

    certomancer's own ``crl-dist-url`` derives URLs from its built-in CRL service; ours are served
    by mock_bsre.pki at fixed paths, and asn1crypto will not build GeneralNames from plain YAML.
    """

    schema_label = "crl-urls"
    extension_type = asn1_x509.ExtensionId

    def provision(self, extn_id: Any, arch: Any, params: Any) -> list[dict[str, Any]]:
        return [
            {
                "distribution_point": asn1_x509.DistributionPointName(
                    name="full_name",
                    value=[asn1_x509.GeneralName(name="uniform_resource_identifier", value=url)],
                )
            }
            for url in params
        ]


extension_plugin_registry.register(CrlUrlsPlugin)


def _load_config(certs_dir: Path) -> dict[str, Any]:
    with (certs_dir / CONFIG_FILE).open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise SystemExit(f"{CONFIG_FILE}: expected a mapping at the top level")
    return data


def _new_private_key(key_type: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    if key_type == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    raise SystemExit(f"unknown key type {key_type!r} (known: rsa2048, ec-p256)")


def ensure_keys(certs_dir: Path, config: dict[str, Any], *, new_keys: bool) -> list[str]:
    """Create every private key the config names that is missing (all of them with ``new_keys``)."""
    keyset = config["keysets"][ARCH]
    key_dir = certs_dir / keyset.get("path-prefix", "")
    key_dir.mkdir(parents=True, exist_ok=True)
    types = config.get("siakgate", {}).get("key-types", {})
    created = []
    for label, key_cfg in keyset["keys"].items():
        path = key_dir / key_cfg["path"]
        if path.exists() and not new_keys:
            continue
        key = _new_private_key(types.get(label, types.get("default", "rsa2048")))
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        created.append(label)
    return created


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _p12_is_current(path: Path, passphrase: str, cert_der: bytes, key_der: bytes) -> bool:
    """True when the existing PKCS#12 file already holds this certificate and key."""
    if not path.exists():
        return False
    try:
        key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase.encode())
    except ValueError:
        return False
    if key is None or cert is None:
        return False
    existing_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.DER) == cert_der and existing_key == key_der


def _describe(cert: x509.Certificate) -> dict[str, Any]:
    def attr(oid: x509.ObjectIdentifier) -> str | None:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        emails = san.get_values_for_type(x509.RFC822Name)
    except x509.ExtensionNotFound:
        emails = []
    public_key = cert.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        key_type = f"rsa{public_key.key_size}"
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        key_type = f"ec-{public_key.curve.name}"
    else:  # pragma: no cover - the config only makes RSA and EC keys
        key_type = type(public_key).__name__
    return {
        "subject": cert.subject.rfc4514_string(),
        "common_name": attr(NameOID.COMMON_NAME),
        "organization": attr(NameOID.ORGANIZATION_NAME),
        "title": attr(NameOID.TITLE),
        "nik": attr(NameOID.SERIAL_NUMBER),
        "email": emails[0] if emails else None,
        "issuer": cert.issuer.rfc4514_string(),
        "serial": cert.serial_number,
        "serial_hex": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key_type": key_type,
        "sha256": hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
    }


def _normalise_base_url(url: str) -> str:
    """``scheme://host[:port]`` without a trailing slash; anything else is refused."""
    base = url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query or parts.fragment:
        raise SystemExit(f"--url must look like http://127.0.0.1:9182 (scheme, host, port; no path), not {url!r}")
    return base


def _move_urls(value: Any, old: str, new: str) -> Any:
    """``value`` (the loaded YAML) with every string that is ``old`` or starts with ``old/`` moved to ``new``."""
    if isinstance(value, str):
        return new + value[len(old) :] if value == old or value.startswith(old + "/") else value
    if isinstance(value, dict):
        return {key: _move_urls(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_move_urls(item, old, new) for item in value]
    return value


def _key_files(certs_dir: Path, config: dict[str, Any]) -> list[Path]:
    keyset = config["keysets"][ARCH]
    key_dir = certs_dir / keyset.get("path-prefix", "")
    return [key_dir / key_cfg["path"] for key_cfg in keyset["keys"].values()]


def source_fingerprint(certs_dir: Path = CERTS_DIR) -> str:
    """SHA-256 over what a variant is made from: this script, the config and every private key."""
    config = _load_config(certs_dir)
    digest = hashlib.sha256()
    files: Iterable[Path] = [Path(__file__).resolve(), certs_dir / CONFIG_FILE, *_key_files(certs_dir, config)]
    for path in files:
        data = path.read_bytes() if path.is_file() else b""
        digest.update(f"{path.name}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def variant_is_current(out_dir: Path, base_url: str, certs_dir: Path = CERTS_DIR) -> bool:
    """True when ``out_dir`` holds the variant for ``base_url`` of the PKI in ``certs_dir`` as it is now."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = {"base_url": _normalise_base_url(base_url), "fingerprint": source_fingerprint(certs_dir)}
    if not isinstance(manifest, dict) or manifest.get("source") != wanted:
        return False
    entities = manifest.get("entities", {}).values()
    files = [name for entry in entities for name in (entry.get("cert"), entry.get("key"), entry.get("p12")) if name]
    return all((out_dir / name).is_file() for name in files)


def _copy_keys(certs_dir: Path, out_dir: Path, config: dict[str, Any]) -> list[str]:
    """Copy the existing private keys into the variant (a variant never makes keys of its own)."""
    copied = []
    for path in _key_files(certs_dir, config):
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run `python certs/generate.py` first (a variant reuses certs/keys)")
        target = out_dir / path.relative_to(certs_dir)
        if _write_if_changed(target, path.read_bytes()):
            copied.append(str(target.relative_to(out_dir)))
    return copied


def generate(
    certs_dir: Path = CERTS_DIR,
    *,
    new_keys: bool = False,
    base_url: str | None = None,
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """Build keys, certificates, PKCS#12 files and the manifest; returns the manifest.

    With ``out_dir`` (another directory than ``certs_dir``) a variant is written there instead:
    keys copied from ``certs_dir``, URLs moved to ``base_url`` (default: the config's prefix).
    """
    certs_dir = Path(certs_dir).resolve()
    out_dir = certs_dir if out_dir is None else Path(out_dir).resolve()
    variant = out_dir != certs_dir
    config = _load_config(certs_dir)
    prefix = str(config[URL_PREFIX_KEY]).rstrip("/")
    base = prefix if base_url is None else _normalise_base_url(base_url)
    if not variant and base != prefix:
        raise SystemExit(
            f"--url {base} needs --out DIR: {certs_dir} keeps the PKI for {prefix} "
            f"(to move that one, edit {URL_PREFIX_KEY} and the URLs in {CONFIG_FILE})"
        )
    if variant and new_keys:
        raise SystemExit("--new-keys and --out do not go together: a variant reuses the keys of certs/")
    if variant:
        created: list[str] = []
        changed = _copy_keys(certs_dir, out_dir, config)
    else:
        created = ensure_keys(certs_dir, config, new_keys=new_keys)
        changed = []
    ours = config.get("siakgate", {})
    p12_passphrases: dict[str, str] = ours.get("p12", {})
    roles: dict[str, str] = ours.get("roles", {})

    cm_config = CertomancerConfig(
        _move_urls(config, prefix, base) if base != prefix else config,
        key_search_dir=str(certs_dir),
        config_search_dir=str(certs_dir),
    )
    arch = cm_config.get_pki_arch(ArchLabel(ARCH))
    key_prefix = config["keysets"][ARCH].get("path-prefix", "")
    key_files = config["keysets"][ARCH]["keys"]

    entities: dict[str, Any] = {}
    for label in config["pki-architectures"][ARCH]["certs"]:
        cert_label = CertLabel(label)
        spec = arch.get_cert_spec(cert_label)
        asn1_cert: asn1_x509.Certificate = arch.get_cert(cert_label)
        cert_der = asn1_cert.dump()
        if base != prefix and prefix.encode() in cert_der:
            # A URL spelt differently from the prefix would still send validators to the old port.
            raise SystemExit(f"{label}: a URL under {prefix} did not move to {base}; spell it with {URL_PREFIX_KEY}")
        cert_file = f"{label}.crt"
        if _write_if_changed(out_dir / cert_file, asn1_pem.armor("CERTIFICATE", cert_der)):
            changed.append(cert_file)

        entry: dict[str, Any] = {"role": roles.get(label, label), "cert": cert_file}
        entry["key"] = f"{key_prefix}/{key_files[spec.subject_key.value]['path']}"
        entry["issuer_name"] = spec.issuer.value
        entry["chain"] = [label, *(lbl.value for lbl in arch.get_chain(cert_label))]
        entry.update(_describe(x509.load_der_x509_certificate(cert_der)))
        revocation = spec.revocation
        entry["revocation"] = (
            None
            if revocation is None
            else {
                "revoked_at": revocation.revoked_since.isoformat(),
                "reason": revocation.reason.native if revocation.reason is not None else None,
            }
        )
        passphrase = p12_passphrases.get(label)
        entry["p12"] = None
        entry["p12_passphrase"] = passphrase
        if passphrase is not None:
            p12_file = f"p12/{label}.p12"
            key_der = arch.key_set.get_private_key(spec.subject_key).dump()
            if not _p12_is_current(out_dir / p12_file, passphrase, cert_der, key_der):
                data = arch.package_pkcs12(cert_label, password=passphrase.encode())
                _write_if_changed(out_dir / p12_file, data)
                changed.append(p12_file)
            entry["p12"] = p12_file
        entities[label] = entry

    manifest: dict[str, Any] = {
        "version": MANIFEST_VERSION,
        "warning": "TEST MATERIAL ONLY: these keys are public; never trust them outside tests.",
        "generated_by": "certs/generate.py from certs/certomancer.yml",
        "trust_anchor": f"{TRUST_ANCHOR}.crt",
        "services": {
            "ocsp": f"{base}/pki/ocsp",
            "crl": f"{base}/pki/crl/{{ca}}.crl",
            "tsa": f"{base}/pki/tsa",
            "certs": f"{base}/pki/certs/{{name}}.crt",
        },
    }
    if variant:
        manifest["generated_by"] = f"certs/generate.py --url {base} --out DIR from certs/certomancer.yml"
        manifest["source"] = {"base_url": base, "fingerprint": source_fingerprint(certs_dir)}
    manifest["entities"] = entities
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    if _write_if_changed(out_dir / "manifest.json", text.encode("utf-8")):
        changed.append("manifest.json")
    if created:
        print(f"new keys: {', '.join(created)}")
    where = f" in {out_dir}" if variant else ""
    print(f"changed{where}: {', '.join(changed) if changed else 'nothing'}")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--new-keys", action="store_true", help="replace every private key")
    parser.add_argument(
        "--url", default=None, help="base URL of the mock BSrE serving the PKI (default: the config's prefix)"
    )
    parser.add_argument("--out", type=Path, default=None, help="write a variant there (keys copied, URLs moved)")
    parser.add_argument("--certs-dir", type=Path, default=CERTS_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    generate(args.certs_dir, new_keys=args.new_keys, base_url=args.url, out_dir=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

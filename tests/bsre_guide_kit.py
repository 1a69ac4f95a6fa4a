"""BSrE's technical guide (Petunjuk Teknis API Esign Client Service v2.2.1) example answers, transcribed once.

Used by the mock's contract tests (tests/mock_bsre: the mock answers like these) and by the gateway client's
tests (tests/bsre: the client reads these). Placeholders stay as the guide prints them (``{{totp}}``);
:func:`filled` puts values in.
"""

from __future__ import annotations

import copy
from typing import Any

# Ellipses of the guide dropped; printed page numbers.

GUIDE_SIGN_ANSWER = {"time": 1000, "file": ["base64_sealedFile_1"]}  # p.25
GUIDE_SEAL_ACTIVATION = {"success": True, "message": "TOTP Aktivasi berhasil dikirim", "data": None}  # p.26
GUIDE_SEAL_REFRESH = {  # p.27
    "success": True,
    "message": None,
    "data": {
        "message": "TOTP Aktivasi masih berlaku",
        "totp": "{{totp}}",
        "expires": "2023-08-07T04:24:40.927+0000",
        "result": True,
    },
}
GUIDE_SEAL_TOTP = {  # p.29
    "message": "TOTP berhasil dibuat",
    "totp": "{{totp}}",
    "expires": "2023-08-07T04:24:40.927+0000",
    "result": True,
}
GUIDE_V1_VERIFY = {  # p.16-17
    "nama_dokumen": "{{nama_dokumen}}",
    "jumlah_signature": 2,
    "notes": "{{notes}}",
    "details": [
        {
            "info_tsa": {"name": "Timestamp Authority", "tsa_cert_validity": None},
            "signature_field": "sig_1697437714025",
            "info_signer": {
                "issuer_dn": "C=ID,O=Lembaga Sandi Negara",
                "signer_name": "Hantek BSrE",
                "signer_cert_validity": "2023-10-06 12:56:15.00 to",
                "signer_dn": "Hantek BSrE",
                "cert_user_certified": True,
            },
            "signature_document": {
                "signed_using_tsa": True,
                "reason": "Dokumen telah disetujui",
                "document_integrity": True,
                "signature_value": None,
                "signed_in": "2023-10-16 13:28:34.00",
                "location": None,
                "hash_value": None,
            },
        }
    ],
    "summary": "{{summary}}",
}
GUIDE_V2_VERIFY = {  # p.35-36
    "conclusion": "NO_SIGNATURE",
    "description": "Dokumen tidak memiliki tandatangan elektronik",
    "signatureInformations": [
        {
            "id": "S-95753E0AA2976206696F9A4052E13AB6DFE057",
            "signatureFormat": "PKCS7-T",
            "signerName": "User Development",
            "signatureDate": "2023-07-11T02:41:23.000+00:00",
            "fieldName": "sig_1689043283248",
            "reason": "Dokumen ini telah ditandatangani",
            "location": "Indonesia",
            "certLevelCode": 0,
            "signatureAlgorithm": None,
            "digestAlgorithm": None,
            "timestampInfomation": {
                "id": "T-73049E0B76BC9223590E4DB041EB6DE13F14",
                "signerName": "Timestamp Authority",
                "timestampDate": "2023-07-11T02:46:28.000+00:00",
            },
            "certificateDetails": [
                {
                    "id": "C-84C1AD5F3227F9404B570DC237D39112",
                    "commonName": "User Development",
                    "issuerName": "C=ID,O=Badan Siber dan Sandi Negara",
                    "serialNumber": "461463014544159028678617",
                    "notAfterDate": "2023-12-22T07:47:10.000+00:00",
                    "notBeforeDate": "2022-12-22T07:47:11.000+00:00",
                    "signatureAlgoritm": "RSA with SHA256",
                    "keyUsages": ["digitalSignature", "nonRepudiation"],
                },
                {
                    "id": "C-755C3FC16A810C6D7C5ABC57AE361E",
                    "commonName": "OSD DEMO",
                    "issuerName": "C=ID,O=Badan Siber dan Sandi Negara",
                    "serialNumber": "1077311342475385395",
                    "notAfterDate": "2028-04-07T17:23:28.000+00:00",
                    "notBeforeDate": "2018-04-08T17:23:28.000+00:00",
                    "signatureAlgoritm": "RSA with SHA256",
                    "keyUsages": ["digitalSignature", "keyCertSign", "crlSign"],
                },
            ],
            "integrityValid": True,
            "certificateTrusted": False,
            "lastSignature": False,
        }
    ],
    "signatureCount": 0,
}


def filled(example: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A deep copy of ``example`` with each ``"{{name}}"`` string replaced by ``values[name]``."""

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(value) for value in node]
        if isinstance(node, str) and node.startswith("{{") and node.endswith("}}") and node[2:-2] in values:
            return values[node[2:-2]]
        return node

    return fill(copy.deepcopy(example))  # type: ignore[no-any-return]

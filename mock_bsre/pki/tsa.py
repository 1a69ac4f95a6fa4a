"""RFC 3161 time-stamping over HTTP with the test PKI's ``tsa`` certificate.

The token itself is made by pyHanko's in-process ``DummyTimeStamper`` (the same object
:meth:`Pki.timestamper` hands the BSrE mock for B-T signatures), so the HTTP TSA and the
in-process one cannot drift apart, and the tokens are ones pyHanko's own validator is known to
accept. This module only adds what a network TSA needs: parsing the request, and refusing bad ones
with the protocol's own rejection (``PKIStatus rejection`` + ``PKIFailureInfo``), not an HTTP error.
"""

from __future__ import annotations

from asn1crypto import core, tsp

from mock_bsre.pki.store import TSA, Pki

_DIGEST_SIZES = {"sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64}


class _RejectedResp(core.Sequence):  # type: ignore[misc]
    """TimeStampResp without a token: asn1crypto's own class wrongly marks the token mandatory."""

    _fields = [("status", tsp.PKIStatusInfo)]  # noqa: RUF012 - asn1crypto's declaration style


def rejection(fail_info: str, text: str) -> bytes:
    """A TimeStampResp saying no (``fail_info`` is an asn1crypto PKIFailureInfo name)."""
    status = tsp.PKIStatusInfo(
        {
            "status": "rejection",
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        }
    )
    return bytes(_RejectedResp({"status": status}).dump())


def respond(pki: Pki, request_der: bytes, tsa: str = TSA) -> bytes:
    """Answer one DER TimeStampReq with a DER TimeStampResp (never raises on bad input)."""
    try:
        request = tsp.TimeStampReq.load(request_der, strict=True)
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = imprint["hashed_message"].native
        request["nonce"].native  # noqa: B018 - force parsing of the optional fields
        if request["version"].native != "v1":
            return rejection("bad_request", "unsupported version")
    except (ValueError, TypeError, KeyError):
        return rejection("bad_data_format", "malformed TimeStampReq")
    if algorithm not in _DIGEST_SIZES:
        return rejection("bad_alg", f"unsupported hash algorithm {algorithm}")
    if len(digest) != _DIGEST_SIZES[algorithm]:
        return rejection("bad_data_format", "digest length does not match its algorithm")
    if request["req_policy"].native is not None:
        return rejection("unaccepted_policy", "no TSA policy may be requested")
    timestamper = pki.timestamper(tsa)
    response: tsp.TimeStampResp = timestamper.request_tsa_response(request)  # type: ignore[attr-defined]
    return bytes(response.dump())

"""Settings of the gateway, from the environment (``SIAKGATE_...``, nested with ``__``) or a ``.env`` file.

Examples::

    SIAKGATE_ENVIRONMENT=production
    SIAKGATE_SIAK__URL=https://siak.dukcapil.example/siak
    SIAKGATE_SIAK__USERNAME=gateway-lumajang
    SIAKGATE_SIAK__PASSWORD=...
    SIAKGATE_BSRE__URL=https://esign.lumajang.example
    SIAKGATE_DUKCAPIL__ENABLED=true
    SIAKGATE_DUKCAPIL__URL=https://ws.dukcapil.example:8000
    SIAKGATE_DUKCAPIL__CONSUMER=DISDUKCAPIL_3508
    SIAKGATE_DUKCAPIL__USER_ID=...
    SIAKGATE_DUKCAPIL__PASSWORD=...
    SIAKGATE_TRUST_ROOTS='["/etc/siakgate/bsre-root.crt"]'
    SIAKGATE_VERIFY__REVOCATION_ENDPOINTS='["http://pki.example.go.id/"]'
    SIAKGATE_SIGNING__BACKEND=pkcs11
    SIAKGATE_DATABASE_URL=postgresql+psycopg://siakgate@db.dinas.example/siakgate
    SIAKGATE_STATE_DIR=/var/lib/siakgate
    SIAKGATE_NOTIFY__WHATSAPP_URL=https://wa-bridge.dinas.example/siakgate
    SIAKGATE_NOTIFY__WEBHOOK_SECRET=...
    SIAKGATE_TRUSTED_PROXIES='["10.0.0.2"]'
    SIAKGATE_RATE_LIMIT__VERIFY_PER_MINUTE=30
    SIAKGATE_METRICS_TOKEN=...

No passphrase, PIN or OTP lives here: those authorise one batch and are asked for each time.
What does live here (the SIAK and BSrE application credentials) must not be a development
placeholder outside development; the validator refuses to start otherwise, as the FastAPI full-stack
template does with its ``changethis`` secrets.

The gateway's state (the embedded SQLite database and the document store) lives under ``state_dir``
(``var/`` in the working directory by default, the same directory ``make run`` uses) unless
``database_url`` / ``documents_dir`` say otherwise. Paths are made absolute when the settings are
built, so a later ``chdir`` cannot move the database.

In development, when no signing backend is configured, the gateway signs by remote hash through
(mock) BSrE with the test credentials ``kepala-dinas`` and ``sekcam``; outside development the
backend must be configured explicitly.

The Kepala Dinas signs KKs of the regencies in ``signing.regencies`` only (4-digit Kemendagri codes,
``SIAKGATE_SIGNING__REGENCIES='["3508"]'``; :mod:`siakgate.signing.jurisdiction`). In development it
defaults to ``3508``, Kab. Lumajang, whose Dinas the test PKI's Kepala Dinas heads; outside development
it must be configured, or the gateway does not start (:func:`siakgate.api.signers.build_signers`).

Nothing is read at import time: build ``Settings()`` in the app factory or the CLI.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from siakgate.limits import networks
from siakgate.signing.api import PadesLevel
from siakgate.signing.factory import REQUIRED, BackendKind

PLACEHOLDER_SECRETS = frozenset({"siakgate-dev", "changethis", "changeme", "secret", "password", ""})
"""Secrets that only a development setup may use (``siakgate-dev`` is the mocks' default)."""

MULTIPART_OVERHEAD = 1024 * 1024
"""Room above ``max_upload_bytes`` for a multipart body's envelope (boundaries, part headers, form fields)."""

DEV_TRUST_ROOT = Path("certs/root-ca.crt")
"""The test PKI's root: trusted by default in development only."""

DEV_SIGNING = {"backend": "remote-hash", "csc_credential_id": "kepala-dinas", "sekcam_csc_credential_id": "sekcam"}
"""Development signing when none is configured: mock BSrE's CSC API with the test PKI's signers."""

DEV_REGENCIES = ("3508",)
"""Development jurisdiction when none is configured: Kab. Lumajang, the test PKI's Kepala Dinas's regency
(its certificate: ``O=Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang``)."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SiakSettings(BaseModel):
    url: str = "http://127.0.0.1:8081/siak"
    username: str = "siakgate"
    password: SecretStr = SecretStr("siakgate-dev")
    timeout_seconds: float = 30.0


class DukcapilSettings(BaseModel):
    """Dukcapil's REST/JSON web service (``CALL_NIK``, ``CALL_VERIFY_BY_ELEMEN``; :mod:`siakgate.siak.dukcapil`).

    Requests go to ``<url>/dukcapil/get_json/<consumer>/<SERVICE>``; ``user_id``, ``password`` and ``ip_user``
    travel in the JSON body, as Dukcapil issues them to each consumer. The defaults are mock SIAK's (``make run``).
    ``enabled`` says the deployment uses the service: outside development its password must then be real.
    """

    enabled: bool = False
    url: str = "http://127.0.0.1:8081"
    consumer: str = "siakgate"
    """The consumer segment(s) of the path, as Dukcapil assigned them (``BPS``, ``12-05/diskominfo_1205``)."""
    user_id: str = "siakgate"
    password: SecretStr = SecretStr("siakgate-dev")
    ip_user: str = "127.0.0.1"
    """The gateway's address as registered with Dukcapil (sent as ``ip_user`` / ``IP_USER``)."""
    threshold: int = Field(default=90, ge=0, le=100)
    """Default ``TRESHOLD`` of a verify-by-element call: the similarity (0-100) a free-text element needs."""
    timeout_seconds: float = 15.0


class BsreSettings(BaseModel):
    url: str = "http://127.0.0.1:8082"
    """Base URL of the office's Esign Client Service (``/api/...``) and CSC API (``/csc/v2/...``)."""
    username: str = "siakgate"
    password: SecretStr = SecretStr("siakgate-dev")
    timeout_seconds: float = 60.0


class SigningSettings(BaseModel):
    """Which key signs, and where it is. The passphrase/PIN/OTP is never configured."""

    backend: BackendKind = "pkcs12"
    """Which key holder (see :mod:`siakgate.signing.factory`, which builds it)."""
    level: PadesLevel = PadesLevel.B_LT
    """A KK defaults to PAdES B-LT."""
    tsa_url: str | None = "http://127.0.0.1:8082/pki/tsa"
    pkcs12_path: Path | None = None
    pkcs11_lib: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_key_label: str | None = None
    csc_credential_id: str | None = None
    """Remote hash signing (CSC): the signer's credential at BSrE."""
    esign_nik: str | None = None
    """Esign Client whole-document mode: the signing official's NIK."""
    esign_api_version: Literal[1, 2] = 2
    sekcam_csc_credential_id: str | None = None
    """Kecamatan cover letters (remote hash): the Sekcam's credential at BSrE."""
    sekcam_pkcs12_path: Path | None = None
    """Kecamatan cover letters (pkcs12): the Sekcam's key file."""
    regencies: list[str] = Field(default_factory=list)
    """The regencies (kabupaten/kota, 4-digit Kemendagri codes: ``3508`` or ``35.08``) whose KKs the
    Kepala Dinas signs; a KK of any other is refused (WILAYAH_DI_LUAR_KEWENANGAN), whatever the backend."""

    @field_validator("regencies")
    @classmethod
    def _regency_codes(cls, value: list[str]) -> list[str]:
        codes = [code.strip().replace(".", "") for code in value]
        wrong = [code for code in codes if len(code) != 4 or not (code.isascii() and code.isdigit())]
        if wrong:
            raise ValueError(f"signing.regencies are 4-digit regency codes (3508), not {', '.join(wrong)}")
        return list(dict.fromkeys(codes))

    @model_validator(mode="after")
    def _backend_has_what_it_needs(self) -> SigningSettings:
        missing = [name for name in REQUIRED[self.backend] if getattr(self, name) is None]
        # pkcs12 without a path is allowed at load time: the CLI takes the file per call.
        if missing and self.backend != "pkcs12":
            raise ValueError(f"signing backend {self.backend!r} needs: {', '.join(missing)}")
        if self.level is not PadesLevel.B_B and self.tsa_url is None:
            raise ValueError(f"PAdES {self.level.value} needs signing.tsa_url (a timestamp authority)")
        return self


class ChannelSettings(BaseModel):
    """How one notification channel's messages leave the gateway (:mod:`siakgate.notify.senders`)."""

    sender: str = "webhook"
    """The kind of sender (a key of ``siakgate.notify.senders.SENDER_KINDS``; ``webhook`` is the signed
    POST of :mod:`siakgate.notify.webhook` that a WhatsApp Business or SMS gateway bridge receives)."""
    url: str
    """Where it sends: the bridge's URL for ``webhook``."""


class NotifySettings(BaseModel):
    """Notifications to applicants: one sender per channel, by default a webhook (a WhatsApp Business or
    SMS gateway bridge).

    ``whatsapp_url`` and ``sms_url`` configure the webhooks of the WHATSAPP and SMS channels; ``channels``
    configures any channel (``SIAKGATE_NOTIFY__CHANNELS='{"TELEGRAM": {"url": "https://..."}}'``) and wins
    over those two. A channel without a sender keeps its messages in the outbox (PENDING) until one is
    configured. ``webhook_secret`` signs every webhook request (HMAC-SHA256, see
    :mod:`siakgate.notify.webhook`).
    """

    whatsapp_url: str | None = None
    sms_url: str | None = None
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    """Channel name (upper case, as the outbox writes it) -> its sender."""
    webhook_secret: SecretStr = SecretStr("siakgate-dev")
    timeout_seconds: float = Field(default=10.0, gt=0)
    lease_seconds: float = Field(default=60.0, gt=0)
    """How long a message being sent belongs to one worker; must exceed ``timeout_seconds``."""
    interval: float = Field(default=1.0, gt=0)
    max_attempts: int = Field(default=12, ge=1)
    backoff_base_seconds: float = Field(default=5.0, gt=0)
    backoff_max_seconds: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _lease_outlasts_a_request(self) -> NotifySettings:
        if self.lease_seconds <= self.timeout_seconds:
            raise ValueError("notify.lease_seconds must exceed notify.timeout_seconds (no two senders at once)")
        return self

    @field_validator("channels")
    @classmethod
    def _channel_names_upper_case(cls, value: dict[str, ChannelSettings]) -> dict[str, ChannelSettings]:
        return {name.upper(): channel for name, channel in value.items()}  # environment names arrive lower case

    def channel_settings(self) -> dict[str, ChannelSettings]:
        """Channel -> its sender, for every configured channel."""
        urls = {"WHATSAPP": self.whatsapp_url, "SMS": self.sms_url}
        found = {channel: ChannelSettings(url=url) for channel, url in urls.items() if url}
        return found | self.channels

    def endpoints(self) -> dict[str, str]:
        """Channel -> endpoint URL, for the channels that have a sender."""
        return {channel: settings.url for channel, settings in self.channel_settings().items()}


class RateLimitSettings(BaseModel):
    """Requests per minute per client address on the public routes (:mod:`siakgate.api.ratelimit`): a token bucket
    that holds this many and refills at this rate. Counted per gateway process (in memory)."""

    verify_per_minute: int = Field(default=30, ge=1)
    """``POST /v1/verify`` (an uploaded PDF, validated in full)."""
    verify_lookup_per_minute: int = Field(default=120, ge=1)
    """``GET /v1/verify/{ref}`` (what a KK's QR code opens: one database read)."""


class VerifySettings(BaseModel):
    """Verification of documents the gateway did not make (``POST /v1/verify``, the PDFs BSrE's Esign Client
    returns): what it may fetch while validating them (:mod:`siakgate.verify.fetching`)."""

    revocation_endpoints: list[str] = Field(default_factory=list)
    """The OCSP responders, CRL distribution points and caIssuers a certificate in such a document may make
    the gateway fetch from: URL prefixes (``http://pki.example.go.id/ocsp``) or hosts (``cvs.example.go.id``,
    ``host:port``); a URL a certificate names that is not here is never fetched (its revocation status stays
    unknown). Empty: nothing is fetched; in development, the test PKI's at mock BSrE (``<bsre.url>/pki/``).
    ``SIAKGATE_VERIFY__REVOCATION_ENDPOINTS='["http://pki.example.go.id/"]'``."""

    @field_validator("revocation_endpoints")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        from siakgate.verify.fetching import EndpointAllowList

        return list(EndpointAllowList(value).entries)  # ValueError names the entry that is neither


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SIAKGATE_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Environment = Environment.DEVELOPMENT
    siak: SiakSettings = Field(default_factory=SiakSettings)
    bsre: BsreSettings = Field(default_factory=BsreSettings)
    dukcapil: DukcapilSettings = Field(default_factory=DukcapilSettings)
    signing: SigningSettings = Field(default_factory=SigningSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    trust_roots: list[Path] = Field(default_factory=list)
    """PEM/DER files of the roots signatures must chain to; empty means certs/root-ca.crt in development."""
    allow_fetching: bool = True
    """Fetch OCSP responses and CRLs from the certificates' URLs when verifying or signing at B-LT (for a
    document from outside, only from ``verify.revocation_endpoints``)."""
    verify: VerifySettings = Field(default_factory=VerifySettings)

    # -- the gateway service (siakgate serve) --------------------------------------------------------
    state_dir: Path = Path("var")
    """Where the embedded database and the documents live unless configured separately."""
    database_url: str = ""
    """SQLAlchemy URL; empty: a SQLite file ``<state_dir>/siakgate/siakgate.db``."""
    database_wait_attempts: int = Field(default=10, ge=1)
    """Connections tried at start-up before the gateway gives up on an unreachable database
    (:mod:`siakgate.store.startup`); one log line per failed attempt."""
    database_wait_first_seconds: float = Field(default=1.0, gt=0)
    """The first wait between two start-up attempts; each next wait doubles, up to ``database_wait_max_seconds``."""
    database_wait_max_seconds: float = Field(default=30.0, gt=0)
    """The longest wait between two start-up attempts (10 attempts by default: about 2.5 minutes in all)."""
    documents_dir: Path | None = None
    """The content-addressed document store; None: ``<state_dir>/siakgate/documents``."""
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    """The largest requirement document accepted (bytes)."""
    max_request_bytes: int | None = Field(default=None, gt=0)
    """The largest request body of any kind (bytes; :mod:`siakgate.api.bodylimit`); None:
    ``max_upload_bytes`` plus :data:`MULTIPART_OVERHEAD` (an upload and its multipart envelope)."""
    max_json_bytes: int = Field(default=1024 * 1024, gt=0)
    """The largest JSON request body (bytes): refused with 413 before it is parsed."""
    metrics_token: SecretStr | None = None
    """Bearer token for ``/metrics`` and for the detail of ``/readyz`` (``SIAKGATE_METRICS_TOKEN``). Unset:
    both open (development only; outside development the gateway does not start without it)."""
    profiles_dir: Path | None = None
    """A Dinas's own service profiles (YAML), added to (or replacing by id) the packaged ones."""
    public_base_url: str = "http://127.0.0.1:8000"
    """Where the public reaches the gateway: the QR code on a signed KK opens ``<this>/v1/verify/<ref>``."""
    worker_interval: float = Field(default=1.0, gt=0)
    """Seconds between two runs of the background worker (automatic SIAK steps)."""
    worker_lease_seconds: float = Field(default=300.0, gt=0)
    """How long a claimed automatic step belongs to a worker; after a crash another takes it after this."""
    kepala_dinas_name: str = "Drs. Bambang Setiawan, M.Si."
    """Printed in the TTE block (the test PKI's Kepala Dinas in development)."""
    kepala_dinas_nip: str = "197205121998031001"
    office_name: str = Field(default="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang", min_length=1)
    """The issuing office as the public reads it: the public verification page (what a KK's QR code opens) is
    branded with it (``SIAKGATE_OFFICE_NAME``); the default is the test PKI's Dinas, Kab. Lumajang."""
    trusted_proxies: list[str] = Field(default_factory=list)
    """Reverse proxies (addresses or CIDR networks) whose ``X-Forwarded-For`` names the client; none by default:
    the client is the TCP peer (:func:`siakgate.limits.client_address`)."""
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    """Public routes' limits per client address (``SIAKGATE_RATE_LIMIT__VERIFY_PER_MINUTE=30``)."""

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        networks(value)  # ValueError names the entry that is not an address or network
        return [entry.strip() for entry in value]

    @model_validator(mode="before")
    @classmethod
    def _development_signing(cls, data: object) -> object:
        """No signing backend chosen in development: sign by remote hash through (mock) BSrE."""
        if not isinstance(data, dict):
            return data
        environment = str(data.get("environment", Environment.DEVELOPMENT.value)).lower()
        signing = data.get("signing", {})
        if environment == Environment.DEVELOPMENT.value and isinstance(signing, dict) and "backend" not in signing:
            return {**data, "signing": {**DEV_SIGNING, **signing}}
        return data

    @model_validator(mode="after")
    def _state_paths(self) -> Settings:
        self.state_dir = self.state_dir.expanduser().absolute()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.state_dir / 'siakgate' / 'siakgate.db'}"
        if self.documents_dir is None:
            self.documents_dir = self.state_dir / "siakgate" / "documents"
        if self.max_request_bytes is None:
            self.max_request_bytes = self.max_upload_bytes + MULTIPART_OVERHEAD
        self.public_base_url = self.public_base_url.rstrip("/")
        return self

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Settings:
        if self.environment is Environment.DEVELOPMENT:
            if not self.trust_roots:
                self.trust_roots = [DEV_TRUST_ROOT]
            if not self.signing.regencies:
                self.signing.regencies = list(DEV_REGENCIES)
            if not self.verify.revocation_endpoints:
                self.verify.revocation_endpoints = [f"{self.bsre.url.rstrip('/')}/pki/"]
            return self
        problems = []
        for name, secret in (("siak.password", self.siak.password), ("bsre.password", self.bsre.password)):
            if secret.get_secret_value() in PLACEHOLDER_SECRETS:
                problems.append(f"{name} is a development placeholder")
        if self.dukcapil.enabled and self.dukcapil.password.get_secret_value() in PLACEHOLDER_SECRETS:
            problems.append("dukcapil.password is a development placeholder")
        if self.notify.endpoints() and self.notify.webhook_secret.get_secret_value() in PLACEHOLDER_SECRETS:
            problems.append("notify.webhook_secret is a development placeholder")
        token = self.metrics_token.get_secret_value() if self.metrics_token is not None else ""
        if token in PLACEHOLDER_SECRETS:
            problems.append("metrics_token is unset or a placeholder (/metrics and /readyz would be open)")
        if not self.trust_roots:
            problems.append("trust_roots is empty (the test root is trusted in development only)")
        elif any(path.resolve() == DEV_TRUST_ROOT.resolve() for path in self.trust_roots):
            problems.append("trust_roots contains the test PKI root (certs/root-ca.crt)")
        if problems:
            raise ValueError(f"unsafe settings for {self.environment.value}: " + "; ".join(problems))
        return self

    @property
    def request_limit(self) -> int:
        """``max_request_bytes`` once defaults are applied (never None after validation)."""
        assert self.max_request_bytes is not None
        return self.max_request_bytes

    @property
    def document_root(self) -> Path:
        """``documents_dir`` once defaults are applied (never None after validation)."""
        assert self.documents_dir is not None
        return self.documents_dir

    def trust_root_ders(self) -> list[bytes]:
        """The configured roots as DER (reads the files)."""
        from siakgate.verify import load_certificates

        return [der for path in self.trust_roots for der in load_certificates(path.read_bytes())]

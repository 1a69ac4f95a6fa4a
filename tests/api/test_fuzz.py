"""Schemathesis fuzzes every operation of the running gateway, as a stranger's fuzzer would.

For each operation of the app's own OpenAPI document: a few schema-valid requests and a few schema-invalid
ones (hypothesis, derandomised: the same cases every run), sent with a token holding every role, each
response checked by schemathesis for a server error, an undocumented status code, an undocumented
content type and a body that does not match its documented schema. Domain refusals of schema-valid data
(an unknown profile, a NIK SIAK does not know) are answers, not failures: the positive-data check is left
out. The figures (operations, cases) are printed for the closing note (``pytest -s``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from api_kit import ALL_ROLES, Api, gateway_settings, serve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_common.pytest_plugin import MockService
from siakgate.store.db import Database

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 8}


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    """The first failure of each operation (label -> schemathesis's report, without the token)."""


def fuzz_operation(operation: object, mode: GenerationMode, base_url: str, auth: dict[str, str], tally: Tally) -> None:
    strategy = operation.as_strategy(generation_mode=mode)  # type: ignore[attr-defined]
    label: str = operation.label  # type: ignore[attr-defined]

    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case: schemathesis.Case) -> None:
        tally.cases += 1
        try:
            case.call_and_validate(base_url=base_url, headers=auth, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as failure:  # FailureGroup: collect, report them all at the end
            tally.failures.setdefault(f"{label} [{mode.value}]", str(failure)[:1500])

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
        assert mode is GenerationMode.NEGATIVE, label


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(
    database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService
) -> None:
    gateway = gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia)
    db = Database.create(gateway.database_url)
    try:
        with serve(gateway) as client:
            auth = Api(client, gateway, db).token(*ALL_ROLES, "ADMIN", name="fuzz")
            base_url = str(client.base_url).rstrip("/")
            schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
            tally = Tally()
            for result in schema.get_all_operations():
                operation = result.ok()
                tally.operations += 1
                for mode in EXAMPLES:
                    fuzz_operation(operation, mode, base_url, auth, tally)
    finally:
        db.dispose()
    print(f"schemathesis: {tally.operations} operations, {tally.cases} cases, {len(tally.failures)} failing")
    assert tally.operations >= 30
    assert not tally.failures, "\n\n".join(f"{label}:\n{report}" for label, report in tally.failures.items())

"""siakgate.domain exports exactly what __all__ says, and every issue code is a declared one."""

from __future__ import annotations

import siakgate.domain as domain
from siakgate.domain import IssueCode


def test_all_is_explicit_and_importable() -> None:
    assert len(domain.__all__) == len(set(domain.__all__))
    for name in domain.__all__:
        assert hasattr(domain, name), name
    public = {n for n in vars(domain) if not n.startswith("_")}
    modules = {"cases", "codes", "family", "issues", "nik", "siak_elements", "text", "validation"}
    assert public - modules == set(domain.__all__)


def test_issue_codes_are_their_own_names() -> None:
    for code in IssueCode:
        assert code.name == code.value

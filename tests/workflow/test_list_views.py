"""A page of applications reads as each application does alone (the list's one documents query)."""

from __future__ import annotations

import pytest
from workflow_kit import REQUIREMENT_FILE, actor, new_application

from siakgate.workflow import Workflow
from siakgate.workflow.profiles import Role

pytestmark = pytest.mark.anyio

APPLICANT = actor(Role.PEMOHON)
ADMIN = actor("ADMIN")


async def test_list_views_equal_single_reads(workflow: Workflow) -> None:
    ids = [await new_application(workflow, "lumajang-bca") for _ in range(3)]
    views = [await workflow.get(app_id, ADMIN) for app_id in ids]
    first, second, _ = views
    requirements = first.missing_requirements
    assert len(requirements) >= 2
    # Interleaved uploads: the page's documents come back mixed and must land on their own application.
    for app_id, code in ((first.id, requirements[0]), (second.id, requirements[0]), (first.id, requirements[1])):
        await workflow.add_document(
            app_id, APPLICANT, requirement=code, data=REQUIREMENT_FILE, media_type="application/pdf", filename="x.pdf"
        )

    listed = {view.id: view for view in await workflow.list(ADMIN, limit=500)}
    singles = [await workflow.get(view.id, ADMIN) for view in views]
    assert [listed[view.id] for view in singles] == singles
    assert singles[0].missing_requirements == requirements[2:]
    assert singles[1].missing_requirements == requirements[1:]
    assert singles[2].missing_requirements == requirements

"""Importing a module of the gateway does nothing but define things, and every module imports on its own.

One clean interpreter (a subprocess: this one has imported everything already) imports each module of
``siakgate`` in turn, after dropping every ``siakgate`` module from ``sys.modules``, so each import
runs as if it were the first in the process (the third-party libraries stay loaded: that keeps it to
seconds, and they are not what is checked). After each import:

* no listener was added to SQLAlchemy's ``Session`` class (a ``before_flush`` on every session of the
  process: reactions to rows are the workflow's transition listeners, :mod:`siakgate.workflow.pipeline`),
  nor to every ``Engine`` or pool;
* the import did not fail: an import cycle shows up as an ImportError ("partially initialized module")
  when the module is the first one imported.

Not imported: ``__main__`` modules (running is what they are for) and Alembic's ``env.py`` (it runs the
migrations; Alembic loads it). The revision files are not a package.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import siakgate

PACKAGE = Path(siakgate.__file__).resolve().parent
SKIPPED = {"siakgate.store.migrations.env"}

CHECK = r"""
import importlib, json, sys, traceback

from sqlalchemy import create_engine
from sqlalchemy.orm import Session


def listeners():
    engine = create_engine("sqlite://")
    found = {}
    dispatches = {"Session": Session().dispatch, "Engine": engine.dispatch, "Pool": engine.pool.dispatch}
    for kind, dispatch in dispatches.items():
        for name in dispatch._event_names:
            found[f"{kind}.{name}"] = len(getattr(dispatch, name))
    engine.dispose()
    return found


baseline = listeners()
problems = []
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "siakgate" or m.startswith("siakgate.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        problems.append(f"{name}: import failed\n{traceback.format_exc(limit=-3)}")
        continue
    added = {event: n - baseline.get(event, 0) for event, n in listeners().items() if n != baseline.get(event, 0)}
    if added:
        problems.append(f"{name}: importing it added listeners {added}")
        baseline = listeners()
print(json.dumps(problems))
"""


def modules() -> list[str]:
    """Every module of the package (directories without ``__init__.py`` are not packages)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if not all((PACKAGE.parent.joinpath(*parts[:n]) / "__init__.py").is_file() for n in range(1, len(parts))):
            continue
        if parts[-1] == "__main__":
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in SKIPPED:
            found.append(name)
    return found


def test_the_module_list_covers_the_package() -> None:
    names = modules()
    assert {"siakgate", "siakgate.workflow.pipeline", "siakgate.notify.outbox", "siakgate.audit.hooks"} <= set(names)
    assert len(names) > 100


def test_every_module_imports_alone_and_without_side_effects() -> None:
    names = modules()
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(names)], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    problems = json.loads(done.stdout.strip().splitlines()[-1])
    assert problems == [], "\n".join(problems)

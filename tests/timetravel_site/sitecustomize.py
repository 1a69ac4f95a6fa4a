"""Moves a Python subprocess of a time-travelling test session (``tests/timetravel.py``) by the same offset.

On ``PYTHONPATH`` only during such a session; a no-op without ``TIMETRAVEL_SECONDS``.
"""

import os

if os.environ.get("TIMETRAVEL_SECONDS"):
    import time
    from datetime import UTC, datetime, timedelta

    import time_machine

    offset = timedelta(seconds=float(os.environ["TIMETRAVEL_SECONDS"]))
    time_machine.travel(datetime.now(UTC) + offset, tick=True).start()
    # A ticking travel starts ticking at its first reading, which would otherwise come after the program's
    # imports (a second or two): read it now, so this process and the test session agree to the millisecond.
    time.time()

"""Progress and the closing summary of a many-file run (``siakgate sign`` / ``siakgate verify`` with several files).

Everything here goes to stderr, which is for people: stdout keeps carrying only the results, one line per
file, so ``siakgate verify *.pdf > hasil.txt`` still gives a clean file. On a terminal the progress is a
rich progress bar; otherwise (a pipe, a log file, cron) one plain line per file, ``[2/5] b.pdf: valid``.
At the end a table (file, result, level or reason) and the counts; after Ctrl-C the same table of what was
finished, and how many files were not processed.

rich is imported only when a many-file run starts (``siakgate --help`` and single-file runs never load it).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from siakgate.cli._common import EXIT_INVALID, EXIT_OK, EXIT_TRY_LATER, EXIT_UNUSABLE

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["Batch", "Outcome", "worst"]


@dataclass(frozen=True)
class Outcome:
    """What became of one file: ``result`` in words (``valid``, ``ditandatangani``, ...), its detail and exit code."""

    file: Path
    result: str
    detail: str
    code: int


def worst(codes: list[int]) -> int:
    """The exit code of a run: 1 if any file is a "no", else 2 if any could not be read, else 3 if any is open."""
    for code in (EXIT_INVALID, EXIT_UNUSABLE, EXIT_TRY_LATER):
        if code in codes:
            return code
    return EXIT_OK


class Batch:
    """The progress of ``total`` files (a context manager: the bar is taken down on the way out, Ctrl-C included)."""

    def __init__(self, total: int, title: str, summary_title: str) -> None:
        self.total = total
        self.title = title
        self.summary_title = summary_title
        self.outcomes: list[Outcome] = []
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Batch:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
                # Results printed on stdout go above the bar only when stdout is that same terminal.
                redirect_stdout=sys.stdout.isatty(),
                redirect_stderr=True,  # per-file messages print above the bar, which is on stderr too
            )
            self._progress.start()
            self._task = self._progress.add_task(self.title, total=self.total)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def started(self, path: Path) -> None:
        """``path`` is being worked on (shown next to the bar)."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=f"{self.title}: {path.name}")

    def record(self, outcome: Outcome) -> None:
        """``outcome``'s file is done."""
        self.outcomes.append(outcome)
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
        else:
            print(f"[{len(self.outcomes)}/{self.total}] {outcome.file}: {outcome.result}", file=sys.stderr, flush=True)

    def exit_code(self) -> int:
        return worst([outcome.code for outcome in self.outcomes])

    def summary(self, *, interrupted: bool = False) -> None:
        """The table of every finished file and the counts, on stderr."""
        from rich.console import Console
        from rich.table import Table

        table = Table(title=self.summary_title, title_justify="left")
        table.add_column("No", justify="right")
        table.add_column("Berkas", overflow="fold")
        table.add_column("Hasil")
        table.add_column("Level / alasan", overflow="fold")
        for number, outcome in enumerate(self.outcomes, start=1):
            table.add_row(str(number), str(outcome.file), outcome.result, outcome.detail)
        console = Console(stderr=True, highlight=False, soft_wrap=False)
        console.print(table)
        counts = Counter(outcome.result for outcome in self.outcomes)
        parts = ", ".join(f"{count} {result}" for result, count in counts.items())
        line = f"Jumlah: {len(self.outcomes)} dari {self.total} berkas" + (f" ({parts})" if parts else "") + "."
        if interrupted:
            line += f" Dihentikan (Ctrl-C): {self.total - len(self.outcomes)} berkas tidak diproses."
        console.print(line, soft_wrap=True)

"""Reports on the service: the share finished within the service time, and each step's actual time.

* :mod:`~siakgate.reports.sla` — the report (:func:`sla_report`, computed in one read-only unit of work);
* :mod:`~siakgate.reports.render` — JSON-ready dict and the text table the CLI prints;
* :mod:`siakgate.cli.report` — ``siakgate report --profile P --from D --to D [--json]`` (in the CLI package).
"""

from siakgate.reports.render import report_dict, report_table
from siakgate.reports.sla import SlaReport, StepStats, build_sla_report, sla_report

__all__ = ["SlaReport", "StepStats", "build_sla_report", "report_dict", "report_table", "sla_report"]

"""Write every report file of a run into one directory."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.errors import EvalInputError
from pipeline.evaluation.reports.html import write_html
from pipeline.evaluation.reports.json_report import write_json
from pipeline.evaluation.reports.markdown import write_markdown
from pipeline.evaluation.results import Report


def write_reports(report: Report, out_dir: Path) -> list[Path]:
    """Write ``report.json``, ``report.md`` and ``report.html`` into ``out_dir`` (created if needed).

    Args:
        report: the evaluation result.
        out_dir: the output directory.

    Returns:
        The files written.

    Raises:
        EvalInputError: the directory cannot be created or written.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return [
            write_json(report, out_dir / "report.json"),
            write_markdown(report, out_dir / "report.md"),
            write_html(report, out_dir / "report.html"),
        ]
    except OSError as err:
        raise EvalInputError(
            f"cannot write reports to the output folder {out_dir} ({err.strerror})") from err

"""`briefing nightly`: incremental, crash-safe batch briefing with one digest a night.

The library entry point is :func:`pipeline.nightly.runner.run_nightly`; the command is
:mod:`pipeline.cli.nightly`. One module per job:

- ``sources`` (what to read), ``fetch`` (HTTP, guarded), ``fanout`` (how many pages),
  ``extract`` (article text out of HTML);
- ``state`` (what was seen and done, SQLAlchemy), ``cache`` (translations already paid for),
  ``lock`` (one run at a time), ``plan`` (what to do tonight);
- ``grouping`` (articles about one event), ``digest`` (the night's data) with ``render_md``
  and ``render_html``;
- ``events`` (progress bar and JSON logs), ``runner`` (the order of operations).
"""

from __future__ import annotations

__all__ = ["NightlyResult", "run_nightly"]


def __getattr__(name: str):
    # Lazy: `pipeline.nightly.lock` and friends stay importable without loading the engine.
    if name in __all__:
        from pipeline.nightly import runner

        return getattr(runner, name)
    raise AttributeError(name)

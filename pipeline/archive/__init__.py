"""The reader's archive: a static site over every night, article and story in ``nightly.out_dir``.

Built after every nightly run (and by :func:`build_archive` on demand) from what is already
on disk: each night's ``digest.json`` and the per-article briefing JSON. Nothing here loads
a model. One module per job:

- ``collect`` (read the nights and their articles), ``stories`` (events continuing earlier
  nights' events), ``pages`` (the HTML), ``exports`` (Atom feed, per-night CSV),
  ``search`` (the Pagefind index), ``writer`` (files that follow the umask),
  ``site`` (the order of operations).
"""

from __future__ import annotations

from pipeline.archive.site import ArchiveResult, build_archive, update_archive

__all__ = ["ArchiveResult", "build_archive", "update_archive"]

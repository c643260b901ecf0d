"""`python -m pipeline.cli` runs the `briefing` command."""

from pipeline.cli import main

main()

"""briefing: Dutch news articles in, English briefings out."""

__version__ = "0.1.0"

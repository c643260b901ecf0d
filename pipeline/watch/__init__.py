"""Watchlists: the names and terms an analyst follows, found in briefed articles."""

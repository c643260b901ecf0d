"""Delivery: the night's digest sent to the analysts once it is written (e-mail)."""

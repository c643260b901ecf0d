"""The reports of `briefing eval`: report.json, report.md and report.html.
"""

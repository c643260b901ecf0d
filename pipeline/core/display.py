"""Characters no reader is shown as they are, for the terminal and for pages alike.

C0 controls but tab and newline, DEL and C1 (a terminal acts on them; HTML and XML text may
not hold them), and Unicode's bidirectional and line-separator controls (U+202E, the
right-to-left override, makes "gnp.exe" read "exe.png" and turns what follows it around).
Each is shown as a visible escape: ``\\x1b``, ``\\u202e``. Zero-width spaces are kept.
"""

from __future__ import annotations

import re

UNSAFE_CHARACTERS = (r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     r"\u202a-\u202e\u2066-\u2069")
UNSAFE = re.compile(f"[{UNSAFE_CHARACTERS}]")


def visible_escape(char: str) -> str:
    """How an unsafe character is shown: ``\\xNN`` below U+0100, else ``\\uNNNN``."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

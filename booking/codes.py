"""Booking codes: short, easy to read aloud, and free of look-alike characters."""

import re
import secrets

# No 0/O, 1/I/L: those are the characters people confuse when reading a code aloud or
# typing it from a printout. 31 symbols and 6 places give about 887 million codes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(raw):
    """Return the code a person or a scanner typed, upper-cased without spaces or dashes.

    Return None when what is left cannot be a booking code.
    """
    cleaned = re.sub(r"[\s\-–.]", "", raw or "").upper()
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def format_code(code):
    """Return the code split in two halves for reading aloud, e.g. 'B7K 3QX'."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"

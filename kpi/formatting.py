"""Numbers for people: half-up rounding, shares that add up, and Danish number formats.

Python's round() rounds half to even (round(12.5) is 12), which readers take for an
error, so every displayed figure is rounded half up here with exact fractions. Shares
of one whole use the largest-remainder method, so that they add up to exactly 100.
"""

from decimal import Decimal
from fractions import Fraction
from math import floor

from pastid.timeutil import MONTHS

# Shown where a figure cannot be computed, such as a share of zero answers.
MISSING = "–"

SEPARATORS = {"da": (",", "."), "en": (".", ",")}


def _fraction(value):
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        # A float's repr is its shortest exact decimal, so 87.5 stays 87.5.
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def round_half_up(value, decimals=0):
    """Return value rounded half away from zero to decimals places, as a Decimal."""
    exact = _fraction(value)
    scale = 10 ** decimals
    magnitude = floor(abs(exact) * scale + Fraction(1, 2))
    rounded = Decimal(magnitude if exact >= 0 else -magnitude).scaleb(-decimals)
    return rounded.quantize(Decimal(1).scaleb(-decimals))


def percent(numerator, denominator):
    """Return numerator/denominator in percent as an exact Fraction, or None for 0/0."""
    if not denominator:
        return None
    return Fraction(100 * numerator, denominator)


def largest_remainder(counts, decimals=1):
    """Return the percentages of counts, rounded so that they add up to exactly 100.

    Each share first gets its rounded-down value. The units still missing then go to
    the shares with the largest remainders, and of equal remainders the earlier share
    wins. Returns Decimals, or Nones when the counts add up to zero.
    """
    total = sum(counts)
    if total == 0:
        return [None] * len(counts)
    scale = 10 ** decimals
    exact = [Fraction(100 * scale * count, total) for count in counts]
    floors = [floor(value) for value in exact]
    missing_units = 100 * scale - sum(floors)
    order = sorted(range(len(counts)), key=lambda index: (-(exact[index] - floors[index]), index))
    for index in order[:missing_units]:
        floors[index] += 1
    quantum = Decimal(1).scaleb(-decimals)
    return [Decimal(units).scaleb(-decimals).quantize(quantum) for units in floors]


def format_number(value, decimals=0, lang="da"):
    """Format a number with thousands separators: '21.596.900', '70,6' (Danish)."""
    if value is None:
        return MISSING
    decimal_mark, group_mark = SEPARATORS.get(lang, SEPARATORS["da"])
    rounded = round_half_up(value, decimals)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction_digits = f"{abs(rounded):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = group_mark.join(groups)
    if decimals > 0:
        text = f"{text}{decimal_mark}{fraction_digits}"
    return sign + text


def format_percent_value(value, decimals=1, lang="da"):
    """Format a percentage that is already computed: '70,6 %', or '–' for None."""
    if value is None:
        return MISSING
    return f"{format_number(value, decimals, lang)} %"


def format_percent(numerator, denominator, decimals=1, lang="da"):
    """Format numerator/denominator as a percentage: 16 of 17 gives '94,1 %', 0 of 0 '–'."""
    return format_percent_value(percent(numerator, denominator), decimals, lang)


def format_p_value(value, lang="da"):
    """Format a p-value with three decimals, or as '< 0,001' when it rounds to zero."""
    if value is None:
        return MISSING
    if value < 0.001:
        return "< " + format_number(Fraction(1, 1000), 3, lang)
    return format_number(value, 3, lang)


def format_kroner(value, lang="da"):
    """Format whole kroner: '21.596.900 kr.' in Danish, 'DKK 21,596,900' in English."""
    if value is None:
        return MISSING
    if lang == "en":
        return f"DKK {format_number(value, 0, lang)}"
    return f"{format_number(value, 0, lang)} kr."


def format_decimal_plain(value, lang="da"):
    """Format a Decimal with exactly its own decimals, e.g. Decimal('4.20') as '4,20'."""
    if value is None:
        return MISSING
    decimal_mark = SEPARATORS.get(lang, SEPARATORS["da"])[0]
    return f"{value:f}".replace(".", decimal_mark)


def _short_date(day):
    return f"{day.day:02d}.{day.month:02d}."


def week_label(bucket, lang="da"):
    """Label a week bucket: 'Uge 7 (15.02.–21.02.2027)'; a period may cut a week short."""
    word = "Week" if lang == "en" else "Uge"
    week = bucket.first_day.isocalendar().week
    return (f"{word} {week} ({_short_date(bucket.first_day)}–{_short_date(bucket.last_day)}"
            f"{bucket.last_day.year})")


def month_label(bucket, lang="da", short=False):
    """Label a month bucket: 'februar 2027', or 'feb.' when short."""
    name = MONTHS["en" if lang == "en" else "da"][bucket.first_day.month - 1]
    if short:
        # Danish marks a shortened month with a full stop, but "maj" is the whole word.
        shortened = name[:3]
        return shortened if lang == "en" or shortened == name else shortened + "."
    return f"{name} {bucket.first_day.year}"

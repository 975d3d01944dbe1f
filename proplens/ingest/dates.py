"""Publication dates as crawled: kept as given, parsed where they can be, never a reason to drop.

Real dumps hold dates like `2016-03-05`, `2016-03-05T10:00:00Z`, `Tue, 15 Nov 1994 08:12:31 GMT`,
`March 5, 2016`, `4/21/18` (US month/day/year) and also `""`, `"1/21"` or `"2050"`. `parse_date`
returns the ISO date (or month) it can be sure of, else None; the text itself is stored unchanged,
and statistics count the articles whose date is missing or unparsable apart.

Example:
    >>> parse_date("4/21/18"), parse_date("1/21"), parse_date("2050-01-01")
    ('2018-04-21', None, None)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

FIRST_YEAR = 1900  # earlier years in a news dump are crawl errors (e.g. "0001-01-01")
_ISO = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?\s*$")
_SLASHED_YMD = re.compile(r"\s*(\d{4})/(\d{1,2})/(\d{1,2})\s*$")
_US = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*$")
_WORDS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b. %d, %Y")


def parse_date(value: object) -> str | None:
    """The date `value` names, as `YYYY-MM-DD` (or `YYYY-MM` when it gives only a month).

    Args:
        value: The date as crawled (any type; only strings can parse).
    Returns:
        The ISO date, or None when `value` is empty, has no year and month, is not a real
        calendar date, or lies before 1900 or after next year.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    found: tuple[int, int, int | None] | None = None
    if m := _ISO.match(text):
        found = int(m[1]), int(m[2]), int(m[3]) if m[3] else None
    elif m := _SLASHED_YMD.match(text):
        found = int(m[1]), int(m[2]), int(m[3])
    elif m := _US.match(text):
        year = int(m[3])
        if year < 100:  # two-digit years: the century that keeps the date in the past
            year += 2000 if year <= date.today().year % 100 + 1 else 1900
        found = year, int(m[1]), int(m[2])
    else:
        found = _rfc_or_words(text)
    if found is None:
        return None
    year, month, day = found
    if not FIRST_YEAR <= year <= datetime.now(UTC).year + 1 or not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _rfc_or_words(text: str) -> tuple[int, int, int | None] | None:
    try:
        d = parsedate_to_datetime(text)
        return d.year, d.month, d.day
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _WORDS:
        try:
            d = datetime.strptime(text, fmt)
            return d.year, d.month, d.day
        except ValueError:
            continue
    return None


def month_of(value: object) -> str | None:
    """`YYYY-MM` of a date as crawled, or None when it cannot be parsed."""
    parsed = parse_date(value)
    return parsed[:7] if parsed else None

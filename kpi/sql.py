"""SQL expressions that SQLite and PostgreSQL spell differently, and time buckets.

The KPI queries group rows by local week or month. SQLite has no time zones, so
instead of converting each row to local time, a bucket is found by comparing the
stored UTC instant with the UTC instants at which the local weeks or months begin.
"""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class seconds_between(FunctionElement):
    """Seconds from the second instant to the first, as a float: later - earlier."""

    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
            f"{compiler.process(earlier, **kw)}))")


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, which
    # julianday() reads; a double's 15 digits keep the result within a millisecond.
    return (f"((julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)})) * 86400.0)")


class greatest(FunctionElement):
    """The larger of two values of the same type."""

    inherit_cache = True
    name = "greatest"

    @property
    def type(self):
        return list(self.clauses)[0].type


@compiles(greatest)
def _greatest_default(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    # SQLite's two-argument max() is a scalar function; the ISO datetime strings it
    # compares sort in time order because all have the same format.
    return f"MAX({compiler.process(element.clauses, **kw)})"


def bucket_index(column, bounds):
    """Return an expression giving i where bounds[i] <= column < bounds[i + 1].

    bounds are ascending starts of consecutive buckets followed by the end of the last
    one. The expression is a balanced tree of CASEs, so each row needs about log2 of
    the number of buckets comparisons. Rows outside [bounds[0], bounds[-1]) must be
    filtered out by the caller; they land in the first or last bucket.
    """
    if len(bounds) < 2:
        raise ValueError("bucket_index needs at least one bucket (two bounds)")
    if len(bounds) == 2:
        # A bare 0 in GROUP BY would mean "the first column", so even a single bucket
        # is an expression on the column.
        return sa.case((column < bounds[1], _index(0)), else_=_index(0))
    return _bucket_tree(column, bounds, 0, len(bounds) - 1)


def _index(value):
    return sa.literal_column(str(int(value)), sa.Integer)


def _bucket_tree(column, bounds, first, last):
    """Return the bucket of column among buckets first..last-1."""
    if last - first == 1:
        return _index(first)
    middle = (first + last) // 2
    return sa.case(
        (column < bounds[middle], _bucket_tree(column, bounds, first, middle)),
        else_=_bucket_tree(column, bounds, middle, last),
    )

"""Collect pyoxigraph query results into the store's result types, stopping at the row limit.

Both backends use it: the embedded store on Oxigraph's own iterators, the remote store on results parsed from
the server's response, so a truncated answer looks the same whichever engine produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import pyoxigraph

from kg.store.base import AskResult, GraphResult, QueryResult, SelectResult


def collect(result, max_rows: int | None) -> QueryResult:
    """A QueryBoolean, QuerySolutions or an iterable of triples as an Ask-, Select- or GraphResult."""
    if isinstance(result, pyoxigraph.QueryBoolean):
        return AskResult(bool(result))
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [v.value for v in result.variables]
        solutions, truncated = take(result, max_rows)
        rows = [{name: term for name, term in zip(names, solution) if term is not None} for solution in solutions]
        return SelectResult(names, rows, truncated)
    triples, truncated = take(iter(result), max_rows)
    return GraphResult(triples, truncated)


def take(items: Iterator | Iterable, limit: int | None) -> tuple[list, bool]:
    """Up to `limit` items, and whether more existed. Stops the lazy evaluation (or the download) there."""
    items = iter(items)
    taken = list(islice(items, None if limit is None else max(limit, 0)))
    return taken, limit is not None and next(items, _END) is not _END


_END = object()

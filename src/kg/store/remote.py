"""The remote store: any SPARQL 1.1 server (Fuseki, Virtuoso, GraphDB, Neptune, QLever, Oxigraph server).

Queries and updates go through SPARQLWrapper (https://www.w3.org/TR/sparql11-protocol/), graph reads and writes
through the Graph Store Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/) when the server offers it, and
through SPARQL Update (`INSERT DATA`, `DROP`, `CREATE`) when it does not. Answers are parsed by pyoxigraph into the
same terms the embedded store returns, so nothing above the store knows which engine ran the query.

The server must use the union of its named graphs as the default graph, as the embedded store does (Oxigraph
`--union-default-graph`, Fuseki `tdb2:unionDefaultGraph true`; Virtuoso and GraphDB do so by default). Typed
bindings travel as an inline VALUES block (`kg.store.bindings`). The time limit is enforced twice: the server's own
(configure it: only the server can stop its query) and a client-side socket timeout that answers 503 in time.
With `KG_REMOTE_USER` every request may log in (Basic or Digest, as the server asks) on the endpoints' origins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import Request

import pyoxigraph
from SPARQLWrapper import INSERT, POST, SELECT, SPARQLWrapper

from kg import queries
from kg.core.config import Settings
from kg.core.errors import BackendError, KgError, UsageError
from kg.rdf.parsing import read_triples
from kg.rdf.sparql_lexer import query_form
from kg.rdf.terms import iri
from kg.store.base import AskResult, Dataset, QueryResult, SelectResult, Store, Term, staging_graph
from kg.store.bindings import bind
from kg.store.guard import Guard
from kg.store.http import ServerErrors, log, opener_for, readable_on_the_wire
from kg.store.solutions import collect


VIRTUOSO_ASK = "__ASK_RETVAL"
ACCEPT = {  # query form -> what we ask the server for; the parser follows the Content-Type it answers with
    "SELECT": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "ASK": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "CONSTRUCT": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8",
    "DESCRIBE": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8",
}
N_TRIPLES = "application/n-triples"
BATCH = 50_000  # triples per upload request: bounded request size, and a progress report per batch
MIN_WRITE_TIMEOUT = 60.0  # bulk uploads may take longer than a query may


GRAPH_SIZES, QUADS = queries.text("store/graph-sizes"), queries.text("store/quads")
GRAPH_EXISTS, GRAPH_TRIPLES = queries.text("store/graph-exists"), queries.text("store/graph-triples")


class RemoteStore(Store):
    """A SPARQL 1.1 server at `settings.endpoint` (update and Graph Store endpoints where they differ)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.endpoint:
            raise UsageError("no SPARQL endpoint configured (--endpoint URL or KG_ENDPOINT)")
        self.endpoint = settings.endpoint
        self.guard, self.base = Guard.from_settings(settings), settings.base
        self.update_endpoint = settings.update_endpoint or settings.endpoint
        self.graph_store = settings.graph_store_endpoint
        self.timeout = settings.query_timeout
        self.write_timeout = max(settings.query_timeout, MIN_WRITE_TIMEOUT)
        credentials = settings.remote_credentials()
        self.user = credentials[0] if credentials else None
        endpoints = [url for url in (self.endpoint, self.update_endpoint, self.graph_store) if url]
        self.open_url = opener_for(credentials, endpoints)
        self.open_query = opener_for(credentials, endpoints, keep_alive=True)  # queries may be sent again
        exposed = readable_on_the_wire(endpoints) if credentials else []
        if exposed:
            log.warning("remote user %r logs in over plain http to %s: a Basic login is readable on the way",
                        self.user, ", ".join(exposed))

    def _errors(self, syntax: str | None, timeout: float, missing: bool = False) -> ServerErrors:
        return ServerErrors(syntax, timeout, missing, self.user)

    # ------------------------------------------------------------------ SPARQL 1.1 Query and Update

    def _query(self, sparql: str, dataset: Dataset, bindings: dict[str, Term] | None,
               max_rows: int | None) -> QueryResult:
        """Send the query (bindings as an inline VALUES block) and read at most `max_rows` rows of the answer."""
        text, form = bind(sparql, bindings), query_form(sparql) or SELECT  # VALUES go inside groups: same form
        wrapper = self._wrapper(text, form, self.timeout, self.open_query)
        for graph in dataset.default_graphs:
            wrapper.addParameter("default-graph-uri", graph)
        for graph in dataset.named_graphs:
            wrapper.addParameter("named-graph-uri", graph)
        with self._errors("malformed query", self.timeout):
            response = wrapper.query().response
            try:
                return _as_asked(_read_answer(response, max_rows), form)
            finally:
                response.close()  # stop downloading the rows past the limit

    def update(self, sparql: str) -> None:
        """As `Store.update`; the graph's base goes first, so relative IRIs resolve as on the embedded store."""
        self.guard.check(sparql)
        self._update(f"BASE {iri(self.base, 'KG_BASE')}\n{sparql}" if self.base else sparql)

    def _update(self, sparql: str, timeout: float | None = None) -> None:
        timeout = self.timeout if timeout is None else timeout
        wrapper = self._wrapper(sparql, INSERT, timeout)  # any update type: it selects `update=` and the endpoint
        with self._errors("malformed update", timeout):
            wrapper.query().response.close()

    def _wrapper(self, text: str, form: str, timeout: float, open_url: Callable | None = None) -> "_Wrapper":
        wrapper = _Wrapper(self.endpoint, updateEndpoint=self.update_endpoint)
        wrapper.open_url = open_url or self.open_url  # the store's opener: its logins, its redirect rule
        wrapper.setMethod(POST)  # form-encoded POST: no URL length limit, nothing cached by proxies
        wrapper.setOnlyConneg(True)  # no `format=`/`output=` parameters some servers reject
        wrapper.queryString, wrapper.queryType = text, form  # our lexer found the form; SPARQLWrapper's regex warns
        wrapper.timeout = timeout  # setTimeout() truncates to whole seconds
        wrapper.addCustomHttpHeader("Accept", ACCEPT.get(form, "*/*"))
        return wrapper

    # ------------------------------------------------------------------ Graph Store

    def graph_triples(self, graph: str | None) -> list[pyoxigraph.Triple] | None:
        if self.graph_store:
            return self._gsp_get(graph)
        if graph is None:
            raise BackendError("reading the default graph alone needs a Graph Store endpoint (--graph-store-endpoint)")
        if not self._graph_exists(graph):
            return None
        return self.query(GRAPH_TRIPLES, bindings={"graph": iri(graph, "graph")}).triples

    def replace_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None:
        triples = list(triples)
        if self.graph_store:
            self._gsp_send("PUT", graph, triples)
        else:  # one request, so the server applies it in one transaction
            steps = [_drop(graph), _create(graph), _insert_data(graph, triples)]
            self._update(" ;\n".join(step for step in steps if step), self.write_timeout)

    def add_to_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None:
        self._upload(graph, list(triples), None)

    def drop_graph(self, graph: str | None) -> bool:
        if self.graph_store:
            return self._gsp_delete(graph)
        if graph is not None and not self._graph_exists(graph):
            return False
        self._update(_drop(graph), self.write_timeout)
        return True

    def graph_sizes(self) -> dict[str, int]:
        rows = self.query(GRAPH_SIZES).rows
        return {row["graph"].value: int(row["triples"].value)
                for row in rows if isinstance(row.get("graph"), pyoxigraph.NamedNode)}

    def quads(self) -> Iterator[pyoxigraph.Quad]:
        """The named graphs' quads by a streamed SELECT; the default graph's own triples too with a Graph Store."""
        wrapper = self._wrapper(QUADS, SELECT, self.write_timeout)
        with self._errors("malformed query", self.write_timeout):
            response = wrapper.query().response
            with response:
                for row in _read_rows(response):
                    yield pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"])
        if self.graph_store:
            for triple in self._gsp_get(None) or ():
                yield pyoxigraph.Quad(triple.subject, triple.predicate, triple.object, pyoxigraph.DefaultGraph())

    def load(self, path: Path, graph: str, progress: Callable[[int], None] | None = None,
             replace: bool = False) -> int:
        """Parse the whole file first (a syntax error sends nothing), then upload it: in one request to replace the
        graph; else in batches, to an existing graph through a staging graph that one last update adds to it. A failed
        batch or a Ctrl-C drops what was sent (a killed process leaves it; a Ctrl-C during that last update may come
        after the server applied it: the graph then holds the file though the load reports it interrupted)."""
        triples = read_triples(path)
        if replace:
            self.replace_graph(graph, triples)
            return len(triples)
        exists = self._graph_exists(graph)  # always true on Virtuoso (ENGINE_DIFFERENCES): staged there, as it may be
        staging = staging_graph(graph) if exists else graph
        self._update(f"{_drop(staging)} ;\n{_create(staging)}", self.write_timeout)  # a leftover staging graph goes
        try:
            self._upload(staging, triples, progress)
            if exists:
                self._update(f"ADD SILENT {_graph(staging)} TO {_graph(graph)} ;\n{_drop(staging)}", self.write_timeout)
        except BaseException:
            self._drop_quietly(staging)
            raise
        return len(triples)

    def _drop_quietly(self, graph: str) -> None:
        """Drop a graph a load made, on its way out with an error of its own: a second error would hide the first."""
        try:
            self._update(_drop(graph), self.write_timeout)
        except (KgError, OSError) as error:
            log.warning("the graph <%s> that a failed load began could not be dropped (%s): drop it", graph, error)

    def _upload(self, graph: str | None, triples: list[pyoxigraph.Triple],
                progress: Callable[[int], None] | None) -> None:
        for start in range(0, len(triples), BATCH):
            batch = triples[start:start + BATCH]
            if self.graph_store:
                self._gsp_send("POST", graph, batch)
            else:
                self._update(_insert_data(graph, batch), self.write_timeout)
            if progress is not None:
                progress(start + len(batch))

    def _graph_exists(self, graph: str) -> bool:
        return self.query(GRAPH_EXISTS, bindings={"graph": iri(graph, "graph")}).value

    # ------------------------------------------------------------------ Graph Store Protocol requests

    def _gsp_url(self, graph: str | None) -> str:
        target = "default" if graph is None else urlencode({"graph": iri(graph, 'graph').value})
        return f"{self.graph_store}{'&' if '?' in self.graph_store else '?'}{target}"

    def _gsp_get(self, graph: str | None) -> list[pyoxigraph.Triple] | None:
        request = Request(self._gsp_url(graph), headers={"Accept": f"{N_TRIPLES}, text/turtle;q=0.9"})
        with self._errors(None, self.write_timeout, missing=True) as outcome:
            with self.open_url(request, timeout=self.write_timeout) as response:
                rdf_format = _rdf_format(response.headers.get_content_type())
                return [quad.triple for quad in pyoxigraph.parse(response, format=rdf_format)]
        return None if outcome.missing else []

    def _gsp_send(self, method: str, graph: str | None, triples: list[pyoxigraph.Triple]) -> None:
        body = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        request = Request(self._gsp_url(graph), data=body, method=method, headers={"Content-Type": N_TRIPLES})
        with self._errors(None, self.write_timeout):
            self.open_url(request, timeout=self.write_timeout).close()

    def _gsp_delete(self, graph: str | None) -> bool:
        request = Request(self._gsp_url(graph), method="DELETE")
        with self._errors(None, self.write_timeout, missing=True) as outcome:
            self.open_url(request, timeout=self.write_timeout).close()
        return not outcome.missing


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper that lets the HTTP error through whole (its own exceptions keep the body only as text), and
    opens with the store's opener (its own credentials would go out before any challenge, or install a global
    opener for Digest)."""

    open_url: Callable

    def _query(self):
        return self.open_url(self._createRequest(), timeout=self.timeout), self.returnFormat


def _as_asked(result: QueryResult, form: str) -> QueryResult:
    """Virtuoso 7.2 answers an ASK as a table with one `__ASK_RETVAL` integer: read it as the boolean it means."""
    if form == "ASK" and isinstance(result, SelectResult) and result.variables == [VIRTUOSO_ASK]:
        return AskResult(bool(result.rows) and result.rows[0].get(VIRTUOSO_ASK) is not None
                         and result.rows[0][VIRTUOSO_ASK].value not in ("0", "false"))
    return result


def _read_answer(response, max_rows: int | None) -> QueryResult:
    media = response.headers.get_content_type()
    results_format = pyoxigraph.QueryResultsFormat.from_media_type(media)
    if results_format is not None:
        return collect(pyoxigraph.parse_query_results(response, format=results_format), max_rows)
    triples = (quad.triple for quad in pyoxigraph.parse(response, format=_rdf_format(media)))
    return collect(triples, max_rows)


def _read_rows(response) -> Iterator[pyoxigraph.QuerySolution]:
    results_format = pyoxigraph.QueryResultsFormat.from_media_type(response.headers.get_content_type())
    if results_format is None:
        raise BackendError(f"the SPARQL server answered a SELECT with {response.headers.get_content_type()}")
    return iter(pyoxigraph.parse_query_results(response, format=results_format))


def _rdf_format(media: str) -> pyoxigraph.RdfFormat:
    rdf_format = pyoxigraph.RdfFormat.from_media_type(media)
    if rdf_format is None:
        raise BackendError(f"the SPARQL server answered with {media}, which is not an RDF syntax")
    return rdf_format


# ---------------------------------------------------------------------- SPARQL Update around serialised terms

def _graph(graph: str | None) -> str:
    """`DEFAULT` or `GRAPH <iri>`: the IRI validated by pyoxigraph, so it cannot close the brackets."""
    return "DEFAULT" if graph is None else f"GRAPH {iri(graph, 'graph')}"


def _drop(graph: str | None) -> str:
    return f"DROP SILENT {_graph(graph)}"


def _create(graph: str | None) -> str:
    return "" if graph is None else f"CREATE SILENT {_graph(graph)}"


def _insert_data(graph: str | None, triples: list[pyoxigraph.Triple]) -> str:
    """INSERT DATA with the triples in N-Triples as written by pyoxigraph (a subset of SPARQL's triple syntax). With
    blank nodes it is written `INSERT { ... } WHERE {}`, the same for one solution, which Virtuoso accepts too (its
    compiler refuses blank nodes in INSERT DATA)."""
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
    block = data if graph is None else f"{_graph(graph)} {{ {data} }}"
    if any(isinstance(term, pyoxigraph.BlankNode) for t in triples for term in (t.subject, t.object)):
        return f"INSERT {{ {block} }} WHERE {{}}"
    return f"INSERT DATA {{ {block} }}"

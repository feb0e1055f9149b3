"""The SPARQL 1.1 Protocol's update dataset (§2.2.3, https://www.w3.org/TR/sparql11-protocol/#update-dataset):
`using-graph-uri` and `using-named-graph-uri` act as USING and USING NAMED clauses of every DELETE/INSERT ... WHERE
operation of the update. Engines take no such parameters, so the clauses are written into the text, just before
each such WHERE, from IRIs that pyoxigraph validated and serialised (nothing from the request is pasted as is).
An update that names its own dataset (USING, USING NAMED, WITH) together with the parameters is an error (§2.2.3).
"""

from __future__ import annotations

from kg.core.errors import ProtocolError
from kg.rdf.sparql_lexer import code_tokens
from kg.rdf.terms import iri

SPEC = "https://www.w3.org/TR/sparql11-protocol/#update-dataset"


def with_using(update: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> str:
    """The update with `USING <g>` / `USING NAMED <g>` before the WHERE of each DELETE/INSERT operation."""
    if not default_graphs and not named_graphs:
        return update
    clauses = " ".join([*(f"USING {iri(g, 'using-graph-uri')}" for g in default_graphs),
                        *(f"USING NAMED {iri(g, 'using-named-graph-uri')}" for g in named_graphs)])
    tokens = code_tokens(update)
    insert_at, pending = [], False
    for index, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        following = tokens[index + 1].text.upper() if index + 1 < len(tokens) else ""
        if word in ("USING", "WITH"):
            raise ProtocolError(f"the update names its dataset with {word} and the request with using-graph-uri / "
                                f"using-named-graph-uri: use one or the other ({SPEC})")
        if token.depth or not word:
            continue
        if word in ("DELETE", "INSERT") and following == "WHERE":
            raise ProtocolError(f"using-graph-uri cannot apply to the DELETE WHERE shorthand: write it as "
                                f"DELETE {{ ... }} WHERE {{ ... }} ({SPEC})")
        if word in ("DELETE", "INSERT") and following != "DATA":
            pending = True  # a DELETE/INSERT ... WHERE operation: its WHERE gets the clauses
        elif word == "WHERE" and pending:
            insert_at.append(token.start)
            pending = False
    pieces, last = [], 0
    for position in insert_at:
        pieces += [update[last:position], clauses, " "]
        last = position
    return "".join(pieces) + update[last:]

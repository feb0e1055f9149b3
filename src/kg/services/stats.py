"""`kg stats`: what the graph holds, as a Markdown table for the README."""

from __future__ import annotations

from kg import queries
from kg.core.config import Settings
from kg.core.project import graph_files, project_files
from kg.rdf.namespaces import curie
from kg.store.embedded import EmbeddedStore


def class_counts(store: EmbeddedStore) -> list[dict]:
    return store.select(queries.text("services/class-counts"))


def markdown(settings: Settings) -> str:
    store = EmbeddedStore.from_files(project_files(settings))
    rows = class_counts(store)
    lines = ["| class | resources |", "|---|---:|"]
    lines += [f"| {row['label'] or ''} `{curie(row['class'])}` | {row['count']} |".replace("|  `", "| `") for row in rows]
    sizes = store.graph_sizes()
    data = graph_files(settings)
    lines.append(f"\n{len(data)} data files, {sum(sizes.get(f.graph, 0) for f in data)} triples of instance data; "
                 f"{len(store)} triples including the ontology.")
    return "\n".join(lines) + "\n"

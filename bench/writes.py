"""How much a validated write costs: seconds per 1,000 triples written through `kg.services.writes` (the path of
SPARQL Update and Graph Store writes), for growing batches of new articles in Chapter 7 of the Criminal Code.

Each batch is valid (the shapes accept it), so the figure is the full cost: scratch copy, change, focus nodes,
SHACL on them, commit. Usage: `python bench/writes.py [--triples 600,3000,17000] [--json PATH]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from kg.core.config import Settings  # noqa: E402
from kg.core.project import project_files  # noqa: E402
from kg.rdf.formats import engine_format  # noqa: E402
from kg.rdf.parsing import parse_bytes  # noqa: E402
from kg.services import writes  # noqa: E402
from kg.store.embedded import EmbeddedStore  # noqa: E402

CODE = "https://w3id.org/infosec-law-kg/eli/kz/code/2014/226-V"
PER_ARTICLE = 7  # triples


def articles(count: int, first: int = 10_000) -> bytes:
    """`count` new articles of Chapter 7, each typed, labelled in kk, ru and en, numbered, placed and sourced."""
    lines = ["@prefix kg: <https://w3id.org/infosec-law-kg/ontology#> .",
             "@prefix eli: <http://data.europa.eu/eli/ontology#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    for number in range(first, first + count):
        lines.append(f'<{CODE}/art_{number}> a kg:Article ; rdfs:label "{number} бап"@kk , "Article {number}"@en-t-kk , "Статья {number}"@ru-t-kk ; '
                     f'eli:number "{number}" ; eli:is_part_of <{CODE}/chp_7> ; '
                     f'kg:source <https://w3id.org/infosec-law-kg/id/location/disc> .')
    return "\n".join(lines).encode()


def measure(settings: Settings, triples: int) -> dict:
    store = EmbeddedStore.from_files(project_files(settings), base=settings.base)
    body = parse_bytes(articles(max(1, triples // PER_ARTICLE)), engine_format("text/turtle"), "bench").triples
    started = time.perf_counter()
    outcome = writes.add_to_graph(settings, store, f"{settings.base}graph/kz-criminal-code", body)
    seconds = time.perf_counter() - started
    return {"triples": len(body), "focus_nodes": outcome.focus_nodes, "seconds": round(seconds, 3),
            "seconds_per_1000": round(seconds / len(body) * 1000, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="600,3000,17000", help="batch sizes, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    settings = Settings.from_env({})
    rows = []
    print("| triples | focus nodes | seconds | s per 1,000 triples |\n|---:|---:|---:|---:|")
    for size in (int(s) for s in args.triples.split(",")):
        row = measure(settings, size)
        rows.append(row)
        print(f"| {row['triples']:,} | {row['focus_nodes']:,} | {row['seconds']} | {row['seconds_per_1000']} |",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

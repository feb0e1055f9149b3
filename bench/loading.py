"""Loading by syntax: `kg load --store` against `oxigraph load` (Oxigraph's bulk loader) and `oxigraph optimize` (the
compaction `kg load` does itself), on the same synthetic legal graph (shared/bench-data) written as N-Triples, Turtle
and N-Quads (issue 10, point 2: each within 1.3x the bulk loader's time and peak memory).

The Turtle and N-Quads files are written from the generator's N-Triples by pyoxigraph (Turtle with the graph's
prefixes, N-Quads with every triple in the one named graph both loaders are given), so the three files hold the same
triples. Every load starts from an empty folder; the two loaders alternate which goes first from round to round, so
that the machine's drift hits both alike; each figure is the median over `--rounds`. The first round checks that both
stores hold the same number of quads. Results go to JSON, a Markdown table and an SVG chart (bench/charts.py).
Usage: `python bench/loading.py --triples 1000000 [--formats nt,ttl,nq] [--rounds 3] [--work DIR] [--out DIR]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import charts  # noqa: E402
from scale import (GRAPH, OXIGRAPH, PROJECT, _machine, step, synthetic_data, timed, work_folder,  # noqa: E402
                   write_report)

TARGET = 1.3
PREFIXES = {  # the generator's vocabularies, so that the Turtle file is Turtle as people write it
    "eli": "http://data.europa.eu/eli/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/", "qb": "http://purl.org/linked-data/cube#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "lkg": "https://lkg.example.org/ontology#",
}
SYNTAXES = {"nt": "N-Triples", "ttl": "Turtle", "nq": "N-Quads"}
KG, OX, OPTIMIZE = "kg load --store", "oxigraph load", "oxigraph optimize"


def written_as(data: Path, suffix: str) -> Path:
    """The N-Triples file `data` in the syntax of `suffix`, written once beside it (streamed, never whole in memory)."""
    import pyoxigraph

    if suffix == "nt":
        return data
    target = data.with_suffix(f".{suffix}")
    if target.exists():
        return target
    step(f"writing {target.name}")
    triples = pyoxigraph.parse(path=str(data), format=pyoxigraph.RdfFormat.N_TRIPLES)
    partial = target.with_suffix(f".{suffix}.partial")
    with partial.open("wb") as output:
        if suffix == "nq":
            graph = pyoxigraph.NamedNode(GRAPH)
            quads = (pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
            pyoxigraph.serialize(quads, output, format=pyoxigraph.RdfFormat.N_QUADS)
        else:
            pyoxigraph.serialize(triples, output, format=pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES)
    partial.rename(target)
    return target


def load_once(path: Path, work: Path, kg_first: bool) -> dict:
    """Both loaders on `path`, each into an empty folder, in the order given: seconds and peak MiB of each command."""
    kg_db, ox_db = work / "kg-db", work / "ox-db"
    for folder in (kg_db, ox_db):
        shutil.rmtree(folder, ignore_errors=True)
    into_graph = [] if path.suffix == ".nq" else ["--graph", GRAPH]  # N-Quads name their graph themselves
    commands = {KG: [sys.executable, "-m", "kg.cli", "load", "--store", str(kg_db), "--graph", GRAPH, str(path)],
                OX: [OXIGRAPH, "load", "--location", str(ox_db), "--file", str(path), *into_graph]}
    figures = {}
    for name in ([KG, OX] if kg_first else [OX, KG]):
        figures[name] = timed(commands[name])
    figures[OPTIMIZE] = timed([OXIGRAPH, "optimize", "--location", str(ox_db)])
    return figures


def quads_in(folder: Path) -> int:
    import pyoxigraph

    return len(pyoxigraph.Store.read_only(str(folder)))


def run(args, work: Path) -> dict:
    data = synthetic_data(work, args.triples)
    load_before = os.getloadavg()[0]
    result = {"triples": args.triples, "date": date.today().isoformat(), "machine": _machine(),
              "rounds": args.rounds, "target": TARGET, "formats": {}}
    for suffix in args.formats:
        path = written_as(data, suffix)
        rounds = []
        for number in range(args.rounds):
            step(f"{SYNTAXES[suffix]} ({path.stat().st_size / 1e6:,.1f} MB), round {number + 1} of {args.rounds}")
            rounds.append(load_once(path, work, kg_first=number % 2 == 0))
            if number == 0:
                counts = {KG: quads_in(work / "kg-db"), OX: quads_in(work / "ox-db")}
        result["formats"][SYNTAXES[suffix]] = summary(path, rounds, counts)
    result["machine"] += f" (load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)"
    return result


def summary(path: Path, rounds: list[dict], counts: dict) -> dict:
    """The median of each figure over the rounds, every round's seconds, and the ratios to the bulk loader."""
    median = {name: {key: statistics.median(r[name][key] for r in rounds) for key in ("seconds", "peak_mib")}
              for name in (KG, OX, OPTIMIZE)}
    ours, theirs, compaction = median[KG], median[OX], median[OPTIMIZE]
    return {
        "file_mb": round(path.stat().st_size / 1e6, 1), "quads": counts, "same_quads": counts[KG] == counts[OX],
        "median": median, "rounds_seconds": {name: [r[name]["seconds"] for r in rounds] for name in (KG, OX, OPTIMIZE)},
        "ratios": {
            "time: kg / oxigraph load": round(ours["seconds"] / theirs["seconds"], 2),
            "time: kg / oxigraph load + optimize": round(ours["seconds"] / (theirs["seconds"] + compaction["seconds"]), 2),
            "peak memory: kg / oxigraph load": round(ours["peak_mib"] / max(theirs["peak_mib"], 1), 2),
        },
    }


def verdict(ratio: float) -> str:
    return "met" if ratio <= TARGET else "**missed**"


def markdown(result: dict) -> str:
    lines = [f"Loading bench, {result['triples']:,} triples, {result['date']}, {result['machine']}; medians of "
             f"{result['rounds']} rounds, the loaders alternating which goes first (target: ≤ {TARGET}x `oxigraph "
             "load` in time and peak memory)", "",
             f"| syntax | file MB | {KG} s | {OX} s | {OPTIMIZE} s | time: kg / oxigraph load | time: kg / load + "
             "optimize | kg peak MiB | oxigraph peak MiB | memory: kg / oxigraph | same quads |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|"]
    for syntax, row in result["formats"].items():
        median, ratios = row["median"], row["ratios"]
        time_ratio, memory_ratio = ratios["time: kg / oxigraph load"], ratios["peak memory: kg / oxigraph load"]
        lines.append(f"| {syntax} | {row['file_mb']:,} | {median[KG]['seconds']:g} | {median[OX]['seconds']:g} | "
                     f"{median[OPTIMIZE]['seconds']:g} | {time_ratio} ({verdict(time_ratio)}) | "
                     f"{ratios['time: kg / oxigraph load + optimize']} | {median[KG]['peak_mib']:g} | "
                     f"{median[OX]['peak_mib']:g} | {memory_ratio} ({verdict(memory_ratio)}) | "
                     f"{row['same_quads']} ({row['quads'][KG]:,}) |")
    lines += ["", "| syntax | " + " | ".join(f"{name} s, each round" for name in (KG, OX, OPTIMIZE)) + " |",
              "|---|---|---|---|"]
    lines += [f"| {syntax} | " + " | ".join(", ".join(f"{s:g}" for s in row["rounds_seconds"][name])
                                          for name in (KG, OX, OPTIMIZE)) + " |"
              for syntax, row in result["formats"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--formats", type=lambda text: text.split(","), default=list(SYNTAXES),
                        help="nt, ttl, nq (default: all three)")
    parser.add_argument("--rounds", type=int, default=3, help="loads of each syntax by each loader; medians kept")
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results")
    parser.add_argument("--work", type=Path,
                        help="keep the data files here (default: a temporary folder, removed at the end)")
    args = parser.parse_args(argv)
    unknown = [suffix for suffix in args.formats if suffix not in SYNTAXES]
    if unknown or args.rounds < 1:
        parser.error(f"--formats takes {', '.join(SYNTAXES)}; --rounds at least 1" + (f" (not {unknown})" if unknown else ""))
    with work_folder(args.work, "kg-loading-") as work:
        result = run(args, work)
    write_report(args.out, f"loading-{args.triples}", result, markdown(result), charts.load_chart(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

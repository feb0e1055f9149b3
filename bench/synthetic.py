"""A deterministic synthetic legal graph, to see how the service behaves on more than the project's few thousand triples.

`statutes` criminal codes, each with CHAPTERS chapters of ARTICLES articles (numbers, kk/ru/en labels, an official
title, a protected object), spread over STATES synthetic states; one synthetic convention of INSTRUMENT_ARTICLES
articles, and kg:Correspondence links from some national articles to it, so that gap analysis has work to do.
The shapes follow docs/MODELLING.md; the same N always gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

BASE = "https://w3id.org/infosec-law-kg/"
CHAPTERS, ARTICLES, STATES, INSTRUMENT_ARTICLES = 10, 20, 10, 50
INSTRUMENT = "eli/int/convention/synthetic"

PREFIXES = f"""@prefix kg: <{BASE}ontology#> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@base <{BASE}> .
"""


def statute(index: int) -> str:
    """One code: the act, its chapters and their articles (Turtle)."""
    act = f"eli/s{index}/code/criminal"
    parts = [f"<{act}> a kg:CriminalCode ; rdfs:label \"Synthetic criminal code {index}\"@en ; "
             f"eli:number \"S-{index}\" ; eli:jurisdiction <id/state/s{index % STATES}> .\n"]
    for chapter in range(1, CHAPTERS + 1):
        parts.append(f"<{act}/chp_{chapter}> a kg:Chapter ; eli:number \"{chapter}\" ; eli:is_part_of <{act}> ; "
                     f"rdfs:label \"Chapter {chapter} of synthetic code {index}\"@en .\n")
        for offset in range(ARTICLES):
            parts.append(article(act, index, chapter, (chapter - 1) * ARTICLES + offset + 1))
    return "".join(parts)


def article(act: str, index: int, chapter: int, number: int) -> str:
    iri = f"{act}/art_{number}"
    text = (f"<{iri}> a kg:Article ; eli:number \"{number}\" ; eli:is_part_of <{act}/chp_{chapter}> ;\n"
            f"    rdfs:label \"{number} бап (синтетикалық кодекс {index})\"@kk , "
            f"\"Статья {number} (синтетический кодекс {index})\"@ru , "
            f"\"Article {number} of synthetic code {index}\"@en ;\n"
            f"    eli:title \"Unlawful act number {number} against synthetic object {number % 7}\"@en ;\n"
            f"    kg:protects <id/protected-object/synthetic-{number % 7}> .\n")
    if (index + number) % 3 == 0 and number % INSTRUMENT_ARTICLES < INSTRUMENT_ARTICLES * 0.7:
        target = f"{INSTRUMENT}/art_{number % INSTRUMENT_ARTICLES + 1}"
        text += (f"<id/correspondence/s{index}-{number}> a kg:Correspondence ; "
                 f"kg:nationalProvision <{iri}> ; kg:instrumentProvision <{target}> .\n")
    return text


def instrument() -> str:
    parts = [f"<{INSTRUMENT}> a kg:Convention ; rdfs:label \"Synthetic convention\"@en .\n"]
    parts += [f"<{INSTRUMENT}/art_{n}> a kg:Article ; eli:number \"{n}\" ; eli:is_part_of <{INSTRUMENT}> ; "
              f"rdfs:label \"Article {n} of the synthetic convention\"@en .\n" for n in range(1, INSTRUMENT_ARTICLES + 1)]
    return "".join(parts)


def write(path: Path, statutes: int) -> Path:
    """Write the synthetic graph as Turtle to `path`."""
    with path.open("w", encoding="utf-8") as out:
        out.write(PREFIXES)
        out.write(instrument())
        for index in range(statutes):
            out.write(statute(index))
    return path


def make_root(project: Path, folder: Path, statutes: int) -> Path:
    """A project root for `kg serve --root`: the project's folders linked, plus graph/synthetic.ttl."""
    for name in ("ontology", "shapes"):
        (folder / name).symlink_to(project / name, target_is_directory=True)
    graph = folder / "graph"
    graph.mkdir()
    for source in sorted((project / "graph").glob("*.ttl")):
        (graph / source.name).symlink_to(source)
    write(graph / "synthetic.ttl", statutes)
    return folder

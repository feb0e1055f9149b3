"""The `kg` command line. Exit: 0 success / conforms, 1 does not conform, 2 usage or parse error, 130 interrupted.

`serve`, `load`, `query` and `export` share the store options: `--store DIR` (an on-disk Oxigraph store) or
`--endpoint URL` (a remote SPARQL 1.1 server); without either, the project's files are loaded into memory.
Results go to standard output, progress and messages to standard error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kg.validation import report
from kg import __version__
from kg.core.config import Settings
from kg.core.errors import KgError, UsageError
from kg.validation.change import validate_files_or_change
from kg.validation.run import FAIL_ON

# command-line option -> Settings field, for the options several commands share
SETTING_OPTIONS = {"store": "store_path", "endpoint": "endpoint", "update_endpoint": "update_endpoint",
                   "graph_store_endpoint": "graph_store_endpoint", "remote_user": "remote_user", "host": "host",
                   "port": "port", "threads": "threads", "workers": "workers"}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, _settings(args))
    except KgError as error:
        print(f"kg: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:  # Ctrl-C (and SIGTERM during `kg load`, which undoes the file it was loading)
        print("kg: interrupted", file=sys.stderr)
        return 130  # 128 + SIGINT, as the shell reports a command ended by Ctrl-C


def _settings(args) -> Settings:
    """Environment (`KG_*`), then the options given; `--store` and `--endpoint` each rule the other out."""
    chosen = {field: getattr(args, option) for option, field in SETTING_OPTIONS.items()
              if getattr(args, option, None) is not None}
    if "store_path" in chosen:
        chosen["endpoint"] = None
    elif "endpoint" in chosen:
        chosen["store_path"] = None
    return Settings.from_env(root=args.root).with_(**chosen)


def _load(args, settings: Settings) -> int:
    from kg.services import load  # each command imports what it uses: `kg validate` starts faster

    store = load.open_target(settings)
    try:
        load.load_files(store, load.targets(settings, args.files, args.graph), replace=args.replace)
    finally:
        store.close()
    return 0


def _serve(args, settings: Settings) -> int:
    from kg.serving.gunicorn import serve  # imports the web app only for this command

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    serve(settings, dev=args.dev)
    return 0


def _query(args, settings: Settings) -> int:
    from kg.rdf import results  # each command imports what it uses: `kg validate` starts faster
    from kg.store.open import open_store

    text = args.query if args.query is not None else _read(args.file)
    result = open_store(settings, serving=False).query(text)
    media = _result_type(args.format, results.offered_for(result))
    _write(args.output, results.serialize(result, media))
    return 0


def _export(args, settings: Settings) -> int:
    from kg.services import export
    from kg.store.open import open_store

    if args.dumps is not None:
        from kg.services import dumps

        for path in dumps.write_all(open_store(settings, serving=False), args.dumps):
            print(f"kg export: wrote {path}", file=sys.stderr)
        return 0
    media = export.media_type(args.format, args.graph)
    _write(args.output, export.export(open_store(settings, serving=False), media, args.graph))
    return 0


def _result_type(name: str | None, offered: list[str]) -> str:
    """The media type `--format` names, if it can express this kind of result; the first offered by default."""
    from kg.rdf import results
    if name is None:
        return offered[0]
    media = results.ALIASES.get(name.lower(), name.lower())
    if media not in offered:
        usable = sorted(alias for alias, target in results.ALIASES.items() if target in offered)
        raise UsageError(f"--format {name} cannot express this result; use one of {', '.join(usable)}")
    return media


def _read(path: Path | None) -> str:
    if path is None:
        raise UsageError("give a query: -q TEXT or a FILE")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot read the query ({error.strerror or error})") from None


def _validate(args, settings: Settings) -> int:
    progress = (lambda message: print(f"kg validate: {message}", file=sys.stderr)) if not args.quiet else (lambda m: None)
    outcome = validate_files_or_change(settings, args.files, args.changed, alone=args.alone, show_all=args.all,
                                       fail_on=args.fail_on, with_owl=not args.no_owl, progress=progress)
    _write(args.output, report.FORMATS[args.format](outcome))
    return 0 if outcome.conforms else 1


def _diff(args, settings: Settings) -> int:
    from kg.services.diff_report import render

    text, changed = render(settings, args.first, args.second, args.format, args.stat)
    _write(args.output, text)
    return 1 if args.exit_code and changed else 0


def _stats(args, settings: Settings) -> int:
    from kg.services import stats

    _write(args.output, stats.markdown(settings))
    return 0


def _diagram(args, settings: Settings) -> int:
    from kg.services import diagram

    print(f"kg diagram: wrote {diagram.render(settings, args.output)}", file=sys.stderr)
    return 0


def _write(output: Path | None, text: str | bytes) -> None:
    if output is not None:
        output.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    elif isinstance(text, str):
        sys.stdout.write(text)
    else:  # serialised results and RDF are bytes in the encoding their syntax prescribes: written as they are
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="infosec-law-kg: validate, describe and serve the graph.",
                                     epilog="`kg COMMAND --help` shows a command's options and examples.")
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    parser.add_argument("--root", type=Path, help="project folder holding ontology/, graph/ and shapes/ (default: this checkout; env KG_ROOT)")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("validate", help="SHACL + OWL 2 DL profile + HermiT over the ontology and graph",
                                description="Exit 0: conforms (warnings allowed unless --fail-on warning); "
                                            "1: results at or above --fail-on; 2: parse or usage error.")
    check.add_argument("files", nargs="*", type=Path, help="data files, validated with the rest of graph/ (one named "
                       "like a file of graph/ replaces it; default: graph/*.ttl)")
    check.add_argument("--alone", action="store_true", help="validate the named files with the ontology only")
    check.add_argument("--changed", nargs="?", const="HEAD", metavar="REV", help="validate the working tree's change "
                       "since REV (default HEAD; `origin/main...`: the merge base); exit follows introduced results")
    check.add_argument("--all", action="store_true", help="with --changed: also list the results still present")
    check.add_argument("--format", choices=sorted(report.FORMATS), default="text")
    check.add_argument("--fail-on", choices=list(FAIL_ON), default="violation")
    check.add_argument("--no-owl", action="store_true", help="skip the OWL 2 DL profile and HermiT checks")
    _output(check, "the report")
    check.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    check.set_defaults(run=_validate)

    compare = commands.add_parser("diff", help="what a change does to the graph (blank-node aware), by resource",
                                  description="Default: HEAD against the working tree. Exit 0 (1 with --exit-code "
                                              "when there are changes); 2 for a bad revision or file.")
    compare.add_argument("first", nargs="?", metavar="REV_A|FILE", help="revision (default HEAD) or a file")
    compare.add_argument("second", nargs="?", metavar="REV_B|FILE", help="revision (default: working tree) or a file")
    compare.add_argument("--format", choices=["markdown", "json"], default="markdown")
    compare.add_argument("--stat", action="store_true", help="counts per named graph and class")
    compare.add_argument("--exit-code", action="store_true", help="exit 1 when there are changes (as git diff)")
    _output(compare, "the diff")
    compare.set_defaults(run=_diff)

    count = _command(commands, "stats", "resources by class, as a Markdown table",
                     "Count the instance data's resources by class (labels from the ontology) and its files and "
                     "triples, as the README's table.", ["kg stats", "kg stats -o docs/stats.md"])
    _output(count, "the table")
    count.set_defaults(run=_stats)

    draw = _command(commands, "diagram", "draw the model (.dot, .svg, .png, .pdf) from the ontology",
                    "Classes by module, subclass links dashed, object properties as labelled arrows; the output's "
                    "suffix picks the format (Graphviz `dot` draws everything but .dot).",
                    ["kg diagram                     # docs/model.svg", "kg diagram -o model.png",
                     "kg diagram -o model.dot        # no Graphviz needed"])
    draw.add_argument("-o", "--output", type=Path, default=Path("docs/model.svg"),
                      help="the file to write (default docs/model.svg)")
    draw.set_defaults(run=_diagram)
    _store_commands(commands)
    return parser


def _store_commands(commands) -> None:
    """`load`, `serve`, `query`, `export`: the commands that open a store."""
    where = _store_options()
    fill = commands.add_parser("load", parents=[where], help="load RDF files into an on-disk store or a remote server",
                               description="Each file goes into its own named graph; a file that does not parse "
                                           "(exit 2, file:line:column) or whose load is interrupted (exit 130) stores "
                                           "nothing. An on-disk store is then compacted for reading. A running "
                                           "`kg serve --store` sees the new data once restarted (or kill -HUP).")
    fill.add_argument("files", nargs="*", type=Path, help="RDF files, format by suffix (default: ontology/ and graph/)")
    fill.add_argument("--graph", metavar="IRI",
                      help="load every file into this named graph (default: {base}graph/{stem})")
    fill.add_argument("--replace", action="store_true", help="replace each target graph instead of adding to it")
    fill.set_defaults(run=_load)

    run = commands.add_parser("serve", parents=[where], help="serve the SPARQL endpoint, API and pages (gunicorn)",
                              description="Read-only (no KG_WRITE_TOKEN): --workers pre-forked processes, one request "
                                          "each, a runaway stopped by ending its worker. With a write token: one "
                                          "process with --threads threads, queries in time-limited executors.")
    run.add_argument("--host", help="address to listen on (default 127.0.0.1; env KG_HOST)")
    run.add_argument("--port", type=int, help="port (default 8080; env KG_PORT)")
    run.add_argument("--workers", type=int,
                     help="worker processes of a read-only or remote service (default 2; env KG_WORKERS)")
    run.add_argument("--threads", type=int,
                     help="threads of the write-capable process or of each remote-mode worker "
                          "(default 8; env KG_THREADS)")
    run.add_argument("--dev", action="store_true", help="Flask's development server instead of gunicorn")
    run.set_defaults(run=_serve)

    ask = _command(commands, "query", "run a SPARQL query and print its result",
                   "Run a SPARQL 1.1 query on the store (the project's files in memory by default) and print the "
                   "result: SPARQL JSON for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE unless --format says otherwise.",
                   ["kg query -q 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format csv",
                    "kg query tests/competency/kazakh-acts.rq --format tsv",
                    "kg query --store data/db -q 'CONSTRUCT WHERE { ?s a ?c } LIMIT 5' --format nt"], parents=[where])
    text = ask.add_mutually_exclusive_group()
    text.add_argument("-q", "--query", metavar="TEXT", help="the query text")
    text.add_argument("file", nargs="?", type=Path, help="a file holding the query")
    ask.add_argument("--format",
                     help="json, xml, csv, tsv (SELECT/ASK); turtle, nt, jsonld, rdfxml, nq, trig (CONSTRUCT/DESCRIBE)")
    _output(ask, "the result").set_defaults(run=_query)

    dump = _command(commands, "export", "write the dataset or one graph in an RDF syntax",
                    "Write the whole dataset (N-Quads by default, or TriG: graphs kept apart) or one named graph "
                    "(Turtle by default); --dumps writes the release files the service offers at /dumps/, named by "
                    "the store's version.",
                    ["kg export > dataset.nq", "kg export --format trig -o dataset.trig",
                     "kg export --graph https://w3id.org/infosec-law-kg/graph/kz-laws --format ttl",
                     "kg export --store data/db --dumps release/   # infosec-law-kg-{version}.nq/.trig"],
                    parents=[where])
    dump.add_argument("--format", help="nq (default), trig; or turtle (default with --graph), nt, jsonld, rdfxml")
    dump.add_argument("--graph", metavar="IRI", help="only this named graph")
    _output(dump, "the RDF")
    dump.add_argument("--dumps", type=Path, metavar="DIR",
                      help="write the N-Quads and TriG dumps into DIR, named by the store's version, as /dumps/ serves")
    dump.set_defaults(run=_export)


EXAMPLES = argparse.RawDescriptionHelpFormatter  # keeps the examples' lines


def _command(commands, name: str, summary: str, description: str, examples: list[str], **options):
    """A subcommand whose help ends with its examples, one per line."""
    return commands.add_parser(name, help=summary, description=description, formatter_class=EXAMPLES,
                               epilog="examples:\n" + "\n".join(f"  {example}" for example in examples), **options)


def _output(command: argparse.ArgumentParser, what: str) -> argparse.ArgumentParser:
    """The `-o/--output FILE` option every command that writes a result has."""
    command.add_argument("-o", "--output", type=Path, help=f"write {what} here instead of standard output")
    return command


def _store_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    where = options.add_argument_group("store (default: the project's files in memory)")
    choice = where.add_mutually_exclusive_group()
    choice.add_argument("--store", type=Path, metavar="DIR", help="an on-disk Oxigraph store (env KG_STORE_PATH)")
    choice.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint (env KG_ENDPOINT)")
    where.add_argument("--update-endpoint", metavar="URL",
                       help="its update endpoint, if different (env KG_UPDATE_ENDPOINT)")
    where.add_argument("--graph-store-endpoint", metavar="URL",
                       help="its Graph Store Protocol endpoint (env KG_GRAPH_STORE_ENDPOINT)")
    where.add_argument("--remote-user", metavar="NAME",
                       help="its login, Basic or Digest as it asks (env KG_REMOTE_USER); the password only from "
                            "KG_REMOTE_PASSWORD_FILE or KG_REMOTE_PASSWORD, never an option")
    return options


if __name__ == "__main__":
    sys.exit(main())

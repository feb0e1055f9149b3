// Comunica 4.x against a live `kg serve` (tests/test_clients.py): node comunica.mjs KIND SOURCE QUERY
// KIND: select | ask | construct (SOURCE is a SPARQL endpoint) or document (SOURCE is a linked-data document,
// fetched and parsed by Comunica: JSON-LD with its remote @context, Turtle, ...). Prints one JSON value.
import { QueryEngine } from '@comunica/query-sparql';

const [kind, source, query] = process.argv.slice(2);
const engine = new QueryEngine();
const sources = [kind === 'document' ? source : { type: 'sparql', value: source }];
const term = (t) => ({ type: t.termType, value: t.value });
let out;
if (kind === 'ask') {
  out = await engine.queryBoolean(query, { sources });
} else if (kind === 'construct') {
  const quads = await (await engine.queryQuads(query, { sources })).toArray();
  out = quads.map((q) => [term(q.subject), term(q.predicate), term(q.object)]);
} else {
  const bindings = await (await engine.queryBindings(query, { sources })).toArray();
  out = bindings.map((b) => Object.fromEntries([...b].map(([v, t]) => [v.value, term(t)])));
}
process.stdout.write(JSON.stringify(out));

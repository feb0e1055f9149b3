// The query page: runs SPARQL against this server's /sparql and shows the results as a table with links.
// Everything is built with DOM calls and textContent, never innerHTML, so no value from the data becomes markup.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const app = document.getElementById("query-app");
  const base = app.dataset.base, root = app.dataset.root;
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");

  const el = (tag, text, attrs) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  };

  // IRIs of the graph's base open here, on this server; other http(s) and mailto IRIs link out; any other scheme
  // (javascript:, data:, ...) is shown as text, never as a link.
  const linkable = (iri) => /^(https?|mailto):/i.test(iri);
  const href = (iri) => iri.startsWith(base) ? root + "/" + iri.slice(base.length) : linkable(iri) ? iri : null;

  const cell = (term) => {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const local = term.value.startsWith(base);  // shown by its path here, in full in the tooltip
      const target = href(term.value), text = local ? term.value.slice(base.length) : term.value;
      td.append(target ? el("a", text, {href: target, title: term.value}) : el("span", text, {class: "iri", title: term.value}));
    } else if (term.type === "bnode") {
      td.append(el("span", "_:" + term.value, {class: "blank"}));
    } else {
      td.append(el("span", term.value, {class: "literal"}));
      const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:") : "";
      if (note) td.append(" ", el("small", note, {class: "note"}));
    }
    return td;
  };

  const showTable = (json) => {
    results.replaceChildren();
    if ("boolean" in json) { results.append(el("p", "ASK: " + json.boolean, {class: "boolean"})); return; }
    const vars = json.head.vars, rows = json.results.bindings;
    const table = el("table", null, {class: "results"});
    const head = el("tr");
    vars.forEach((v) => head.append(el("th", "?" + v, {scope: "col"})));
    table.append(el("thead")); table.tHead.append(head);
    const body = el("tbody");
    rows.forEach((row) => { const tr = el("tr"); vars.forEach((v) => tr.append(cell(row[v]))); body.append(tr); });
    table.append(body);
    results.append(el("p", rows.length + " row" + (rows.length === 1 ? "" : "s")), table);
  };

  const run = async (url, init) => {
    status.textContent = "running…";
    const started = performance.now();
    try {
      const response = await fetch(url, init);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        let detail = await response.text();
        try { const e = JSON.parse(detail); detail = e.error + ": " + e.detail; } catch (_) { /* plain text */ }
        results.replaceChildren(el("pre", detail, {class: "error"}));
      } else if (type.includes("json") && !type.includes("ld+json")) {
        showTable(await response.json());
      } else {
        results.replaceChildren(el("pre", await response.text(), {class: "rdf"}));
      }
      status.textContent = response.status + " · " + Math.round(performance.now() - started) + " ms";
    } catch (error) {
      status.textContent = "failed: " + error;
    }
  };

  const accept = "application/sparql-results+json, text/turtle;q=0.9";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(app.dataset.endpoint, {method: "POST", headers: {"Accept": accept},
      body: new URLSearchParams({query: textarea.value})});
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  document.querySelectorAll("button.example").forEach((button) =>
    button.addEventListener("click", () => { textarea.value = button.dataset.query; form.requestSubmit(); }));

  if (textarea.dataset.run) form.requestSubmit();  // opened as /?query=...

  // Canned queries, if the API is there: each runs with its example parameters.
  const canned = document.getElementById("canned");
  fetch(app.dataset.canned, {headers: {"Accept": "application/json"}})
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((data) => {
      const list = Array.isArray(data) ? data : (data.queries || []);
      canned.replaceChildren();
      list.forEach((q) => {
        const title = typeof q.title === "string" ? q.title : (q.title && (q.title.en || Object.values(q.title)[0])) || q.name;
        const examples = q.examples || (q.example ? [q.example] : []);
        const plain = q.url || app.dataset.canned + "/" + encodeURIComponent(q.name);
        const url = (q.exampleUrls && q.exampleUrls[0]) || plain + (examples.length ? "?" + String(examples[0]).replace(/^\?/, "") : "");
        const link = el("a", title, {href: url, title: q.description || q.name});
        link.addEventListener("click", (event) => {
          event.preventDefault();
          run(url, {headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}});
        });
        const item = el("li"); item.append(link); canned.append(item);
      });
      if (!list.length) canned.replaceChildren(el("li", "none"));
    })
    .catch(() => canned.replaceChildren(el("li", "not available on this server")));
});

// A canned query's form page: with parameters in the URL, fetch the same URL as SPARQL JSON and show a readable table
// (labels of the IRIs, wrapping, horizontal scroll) and any X-KG-Warning. DOM calls and textContent only, no innerHTML.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const app = document.getElementById("canned-app");
  const {base, root, endpoint, lang} = app.dataset;
  const results = document.getElementById("results"), status = document.getElementById("status");
  const warning = document.getElementById("warning"), downloads = document.getElementById("downloads");

  const {el, linkable} = window.kgDom;
  const href = (iri) => iri.startsWith(base) ? root + "/" + iri.slice(base.length) : linkable(iri) ? iri : null;

  // Labels of the IRIs in the results, in the interface language first (one SPARQL query; the IRIs go in as VALUES).
  const labels = async (iris) => {
    const safe = iris.filter((iri) => /^[^<>"{}|^`\\\s]+$/.test(iri)).slice(0, 300);
    if (!safe.length) return {};
    const query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" +
      "SELECT ?iri ?label WHERE { VALUES ?iri { " + safe.map((i) => "<" + i + ">").join(" ") + " } ?iri rdfs:label|skos:prefLabel ?label }";
    const response = await fetch(endpoint, {method: "POST", headers: {"Accept": "application/sparql-results+json"},
      body: new URLSearchParams({query})});
    if (!response.ok) return {};
    const order = [lang, "en", "ru", "kk"], found = {};
    for (const row of (await response.json()).results.bindings) {
      const tag = (row.label["xml:lang"] || "").split("-")[0], rank = order.indexOf(tag) < 0 ? 9 : order.indexOf(tag);
      const known = found[row.iri.value];
      if (!known || rank < known.rank) found[row.iri.value] = {rank, text: row.label.value};
    }
    return found;
  };

  const cell = (term, names) => {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const target = href(term.value), local = term.value.startsWith(base);
      const text = names[term.value] ? names[term.value].text : local ? term.value.slice(base.length) : term.value;
      td.append(target ? el("a", text, {href: target, title: term.value}) : el("span", text, {class: "iri", title: term.value}));
    } else if (term.type === "bnode") {
      td.append(el("span", "_:" + term.value, {class: "blank"}));
    } else {
      td.append(el("span", term.value, {class: "literal"}));
      if (term["xml:lang"]) td.append(" ", el("small", "@" + term["xml:lang"], {class: "note"}));
    }
    return td;
  };

  const show = async (json) => {
    const vars = json.head.vars, rows = json.results.bindings;
    const iris = [...new Set(rows.flatMap((row) => Object.values(row).filter((t) => t.type === "uri").map((t) => t.value)))];
    const names = await labels(iris).catch(() => ({}));
    const shown = vars.filter((v) => rows.some((row) => row[v]));  // parameters echoed as columns stay if bound
    const table = el("table", null, {class: "results readable"});
    const head = el("tr");
    shown.forEach((v) => head.append(el("th", v, {scope: "col"})));
    table.append(el("thead")); table.tHead.append(head);
    const body = el("tbody");
    rows.forEach((row) => { const tr = el("tr"); shown.forEach((v) => tr.append(cell(row[v], names))); body.append(tr); });
    table.append(body);
    results.replaceChildren(el("p", rows.length + " " + app.dataset.tRows), rows.length ? table : el("p", app.dataset.tNone));
  };

  const run = async () => {
    const url = app.dataset.url + location.search;
    status.textContent = app.dataset.tRunning;
    const response = await fetch(url, {headers: {"Accept": "application/sparql-results+json"}});
    const note = response.headers.get("X-KG-Warning");
    warning.hidden = !note;
    warning.textContent = note ? decodeURIComponent(note) : "";
    if (!response.ok) {
      let detail = await response.text();
      try { const e = JSON.parse(detail); detail = e.error + ": " + e.detail; } catch (_) { /* plain text */ }
      results.replaceChildren(el("pre", detail, {class: "error"}));
    } else {
      await show(await response.json());
      downloads.hidden = false;
      downloads.querySelectorAll("a[data-format]").forEach((a) => {
        const params = new URLSearchParams(location.search);
        params.set("format", a.dataset.format);
        a.href = app.dataset.url + "?" + params;
      });
    }
    status.textContent = String(response.status);
  };

  // Empty optional fields are left out of the URL, so the address stays the permalink of what ran.
  document.getElementById("canned-form").addEventListener("formdata", (event) => {
    for (const [name, value] of [...event.formData.entries()]) if (value === "") event.formData.delete(name);
  });
  if (app.dataset.run) run().catch((error) => { status.textContent = String(error); });
});

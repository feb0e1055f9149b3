// The query page: YASGUI (vendored in vendor/yasgui) on this server's /sparql, set up from /query-config.json.
// The address bar keeps the query that ran (a permalink); IRIs of the graph link to their pages here, other http(s)
// and mailto IRIs link out, and any other scheme (javascript:, data:, ...) is shown as text, never as a link.
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  const app = document.getElementById("query-app");
  const config = await (await fetch(app.dataset.config, {headers: {"Accept": "application/json"}})).json();
  const {base, root} = config;
  const endpoint = new URL(config.endpoint, location.href).href;

  const {el, linkable} = window.kgDom;

  // Completion from this server only: the project's prefixes (our JSON in prefix.cc's shape) and the query's
  // variables; no request to prefix.cc or LOV (the Content-Security-Policy allows connections to this server only).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const params = new URLSearchParams(location.search);
  const initial = params.get("query") || (config.examples[0] && config.examples[0].query) || "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint, method: "POST",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9", acceptHeaderGraph: "text/turtle,*/*;q=0.9"},
    copyEndpointOnNewTab: true, persistenceId: null, populateFromUrl: false, autofocus: true,
    endpointCatalogueOptions: {getData: () => [{endpoint}]},
    yasqe: {prefixCcApi: new URL(config.prefixesUrl, location.href).href, resizeable: true},
    yasr: {prefixes: config.prefixes, defaultPlugin: "table", persistenceId: null},
  });
  const tab = yasgui.getTab();
  tab.setQuery(initial);
  tab.setEndpoint(endpoint);

  // Links in the results: the graph's IRIs to their pages here, script schemes made plain text (after every redraw).
  const fix = (scope) => scope.querySelectorAll("a[href]:not([data-kg])").forEach((a) => {
    const iri = a.getAttribute("href");
    a.dataset.kg = "checked";  // once: a rewritten link is a path on this server
    if (iri.startsWith(base)) { a.href = root + "/" + iri.slice(base.length); a.removeAttribute("target"); a.title = iri; }
    else if (!linkable(iri) && !iri.startsWith("#")) a.replaceWith(el("span", a.textContent, {class: "iri", title: iri}));
  });
  const results = document.querySelector("#yasgui");
  new MutationObserver(() => fix(results.querySelector(".yasr") || results)).observe(results, {childList: true, subtree: true});

  // Downloads of what ran, by format= of /sparql.
  const downloads = document.getElementById("downloads");
  const offerDownloads = (query) => {
    const kind = /^(CONSTRUCT|DESCRIBE)$/i.test(yasgui.getTab().getYasqe().getQueryType() || "") ? "graph" : "table";
    downloads.replaceChildren(app.dataset.tDownload);
    config.downloads[kind].forEach((format) => {
      const target = config.endpoint + "?" + new URLSearchParams({query, format});
      downloads.append(" ", el("a", format.toUpperCase(), {href: target, download: "results." + format, "data-format": format}));
    });
    downloads.append(" · ", el("a", app.dataset.tPermalink, {href: location.href, class: "permalink"}));
    downloads.hidden = false;
  };
  yasgui.on("query", (_, ran) => {
    const query = ran.getQuery(), url = new URL(location.href);
    url.searchParams.set("query", query);
    history.pushState(null, "", url);
    offerDownloads(query);
  });

  // Examples above the editor; the canned queries open their forms.
  const examples = document.getElementById("examples");
  examples.append(el("span", app.dataset.tExamples + ":", {class: "label"}));
  config.examples.forEach((example) => {
    const button = el("button", example.title, {type: "button", class: "example"});
    button.addEventListener("click", () => { yasgui.getTab().setQuery(example.query); yasgui.getTab().query(); });
    examples.append(" ", button);
  });
  const canned = document.getElementById("canned");
  fetch(config.canned, {headers: {"Accept": "application/json"}}).then((r) => r.json()).then((data) => {
    const lang = document.documentElement.lang;
    canned.replaceChildren(...data.queries.map((q) => {
      const item = el("li");
      item.append(el("a", q.title[lang] || q.title.en || q.name, {href: root + q.url, title: q.description}));
      return item;
    }));
  }).catch(() => canned.replaceChildren());

  if (params.has("query")) tab.query();  // opened as a permalink: run it
});

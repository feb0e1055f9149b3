// The /validate page: POST the Turtle to /validate and show the report, each result with its line number.
// No inline script (CSP script-src 'self'); values are set as text, and only http(s) and mailto IRIs become links.
"use strict";
(function () {
  const app = document.getElementById("validate-app");
  if (!app) return;
  const form = document.getElementById("validate-form");
  const source = document.getElementById("turtle");
  const status = document.getElementById("status");
  const report = document.getElementById("report");

  function cell(row, text, href) {
    const td = row.insertCell();
    if (href && /^(https?:|mailto:)/i.test(href)) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text || "";
    }
    return td;
  }

  function table(title, results) {
    const section = document.createElement("section");
    const heading = document.createElement("h2");
    heading.textContent = title + " (" + results.length + ")";
    section.appendChild(heading);
    if (!results.length) return section;
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    ["Line", "Severity", "Resource", "Path", "Value", "Message"].forEach(function (name) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    });
    const body = t.createTBody();
    results.forEach(function (r) {
      const row = body.insertRow();
      const line = cell(row, r.line ? String(r.line) + ":" + String(r.column) : "");
      if (r.line) {
        line.className = "line";
        line.title = "select this line";
        line.addEventListener("click", function () { select(r.line); });
      }
      cell(row, r.severity);
      cell(row, r.focusNode, r.focusNode);
      cell(row, r.resultPath, r.resultPath);
      cell(row, r.value, r.value);
      cell(row, r.message);
    });
    section.appendChild(t);
    return section;
  }

  function select(line) {
    const lines = source.value.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    source.focus();
    source.setSelectionRange(start, start + (lines[line - 1] || "").length);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const mode = form.querySelector("input[name=mode]:checked").value;
    status.textContent = "validating…";
    report.replaceChildren();
    fetch(app.dataset.endpoint + "?mode=" + encodeURIComponent(mode), {
      method: "POST",
      headers: {"Content-Type": "text/turtle", "Accept": "application/json"},
      body: source.value
    }).then(function (response) {
      return response.json().then(function (document_) { return [response, document_]; });
    }).then(function (pair) {
      const response = pair[0], doc = pair[1];
      if (!response.ok) {
        status.textContent = (doc && doc.detail) || ("error " + response.status);
        return;
      }
      status.textContent = doc.conforms ? "conforms" : "does not conform";
      report.appendChild(table(doc.against ? "Introduced" : "Results", doc.results));
      if (doc.fixed) report.appendChild(table("Fixed", doc.fixed));
    }).catch(function (error) {
      status.textContent = "failed: " + error;
    });
  });
})();

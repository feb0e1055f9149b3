// What the pages' scripts share: elements built with textContent and attributes (never innerHTML, so nothing from
// the data becomes markup), and which IRIs may become links (http(s) and mailto; javascript:, data:, ... stay text).
"use strict";

window.kgDom = {
  el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  },
  linkable: (iri) => /^(https?|mailto):/i.test(iri),
};

// Swagger UI (vendored in vendor/swagger-ui) over this server's /openapi.json; no inline script, no CDN.
"use strict";

window.addEventListener("load", () => {
  const element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: element.dataset.url, domNode: element, deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], validatorUrl: null, tryItOutEnabled: false});
});

"""The blueprints, one per feature: `/sparql`, `/data`, `/api/...`, and the linked-data pages."""

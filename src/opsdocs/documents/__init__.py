"""Documents: parsing, the kind registry, templates, scaffolding and the index."""

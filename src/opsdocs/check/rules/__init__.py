"""Rule families, one module per family; each module exposes ``RULES``."""

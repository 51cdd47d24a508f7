"""opsdocs."""

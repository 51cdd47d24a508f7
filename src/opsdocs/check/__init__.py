"""`opsdocs check`: the linter for operations documents."""

"""Public disclosure (公示, issue 19): budgets, awards, variations, final costs, sources and
collection."""

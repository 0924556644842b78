"""Chinese full-text search over every knowledge library (see `query` for the ranking)."""

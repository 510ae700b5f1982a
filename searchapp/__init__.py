"""searchapp: full-text search for news (readers -> enrichment -> index -> search -> web/CLI)."""

"""The permission matrix's rows for the devolved funds' pages and the public grants pages. PLACEHOLDER."""

PAGES: dict[str, tuple] = {}

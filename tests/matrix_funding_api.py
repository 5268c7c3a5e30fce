"""The permission matrix's rows for the devolved funds' API and public 360Giving data. PLACEHOLDER: being written."""

API: dict[str, tuple] = {}

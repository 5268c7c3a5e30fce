"""The permission matrix's rows for the public grants pages and 360Giving data. PLACEHOLDER: being written."""

PUBLIC: dict[str, tuple] = {}

"""The devolved funds' API (/api/v1/funds/, /rounds/, /applications/, /awards/). PLACEHOLDER: being written."""


def register(router) -> None:
    """Add the devolved funds to the API router (/api/v1/...)."""

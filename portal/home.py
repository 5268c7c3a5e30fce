"""What awaits each person on their start page. Each app registers a provider here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class HomeSection:
    title: str
    items: list[dict] = field(default_factory=list)  # {"text", "href", "due" (optional), "tag" (optional)}
    empty: str = "Nothing waiting for you."
    links: list[dict] = field(default_factory=list)  # where to go next: {"text", "href"}
    # The start page's "at a glance" figures: {"label", "count", "href"}; by default how many items wait here.
    glance: list[dict] | None = None
    key: str = ""  # the section's anchor on the start page (from its title when not given)

    def __post_init__(self):
        if not self.key:
            self.key = "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")
        if self.glance is None:
            self.glance = [{"label": self.title, "count": len(self.items), "href": f"#{self.key}"}]


PROVIDERS: list[Callable] = []


def home_provider(func: Callable) -> Callable:
    """Register a function(user) -> HomeSection | None for the start page."""
    PROVIDERS.append(func)
    return func


def home_items_for(*, user) -> list[HomeSection]:
    sections = []
    for provider in PROVIDERS:
        section = provider(user)
        if section is not None:
            sections.append(section)
    return sections

"""Plans API (/api/v1/plans/): plans, their versions with sections, delivery actions, attachments and
sign-offs; writes through the same services as the pages.

A plan's versions, sections, actions and sign-offs are named as on the pages: by the version's number,
the section's or action's key, and the signing partner's slug, under the plan
(`/plans/{id}/versions/{number}/sections/{key}/`). Whoever may not see a plan's drafts gets 404 for
them, exactly as on the pages (agreed versions: every signed-in user). Signing off and returning need
a second factor confirmed in the last 15 minutes, so API tokens are refused (403).
"""

from .views import PlanViewSet, register  # noqa: F401

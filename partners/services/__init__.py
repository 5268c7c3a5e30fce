"""Partner services: partners, areas and memberships (core) and data-sharing agreements (dsa)."""
from .core import *  # noqa: F401,F403
from .core import PARTNER_FIELDS  # noqa: F401
from .dsa import *  # noqa: F401,F403
from .dsa_grants import *  # noqa: F401,F403
from .dsa_schedule import *  # noqa: F401,F403
from .dsa import (  # noqa: F401
    DSA, _dsa_lock, _sync_agreement_grants, _sync_agreement_perms,
)

"""Demo decisions, call-ins, PCC decisions and appointments (seed step 70): see seed_powers."""

from __future__ import annotations

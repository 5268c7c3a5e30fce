"""Strategic and delivery plans, written together by the board's partners and signed off by each.

A module of targets (not an app of its own): plans are made of the board's priorities and targets,
and the sign-off duty is part of the accountability that targets measure. Its models are
registered through targets/models.py.
"""

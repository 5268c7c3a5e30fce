"""The permission matrix's rows for the PCC's powers' API and the public register (tests/test_permission_matrix.py
adds them): route name -> (outcomes, kind, method[, data]) in that module's terms (kinds: decision, callin,
pcc_decision, appointment, callin_public, pcc_decision_public)."""

API_AND_REGISTER: dict[str, tuple] = {}

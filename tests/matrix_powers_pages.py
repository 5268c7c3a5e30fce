"""The permission matrix's rows for the PCC's powers' pages (tests/test_permission_matrix.py adds them):
route name -> (outcomes, kind, method[, data]) in that module's terms (roles: officer | signatory | board |
PCC officer | PCC | anonymous; kinds: decision, callin, callin_attachment, pcc_decision, appointment)."""

PAGES: dict[str, tuple] = {}

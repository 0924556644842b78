"""Repeat and duplicate appeals: the same requester or the same place and topic within a window
(a repeat flag and links), and near-duplicate texts across requesters (merge suggestions).
docs/intel-duplicates.md describes the rules."""

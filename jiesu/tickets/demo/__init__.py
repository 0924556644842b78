"""Demo data: a plausible Beijing 12345 ledger, generated deterministically, then imported.

Determinism rule: the generated ledger depends only on (seed, tickets, days, anchor, geography,
category labels). The anchor is "today at 00:00 Asia/Shanghai" unless given, so two runs on the
same calendar day with the same seed write byte-identical CSV files; a run on another day shifts
every timestamp by whole days. Events that would fall after the anchor are cut off, so the most
recent tickets are naturally still open in the stage they had reached by then.
"""

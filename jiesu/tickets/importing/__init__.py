"""Import of city-platform exports and historical ledgers (CSV / XLSX) as tickets with their events.

Entry point: `jiesu.tickets.importing.service.tickets_import`. The pipeline is
readers (file → raw rows) → rows (raw row → validated record) → planner (record → planned
ticket and events, checked against the workflow table) → writer (batched inserts, or per-ticket
transitions for tickets that already exist).
"""

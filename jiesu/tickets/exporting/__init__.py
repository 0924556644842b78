"""The ticket ledger (台账) export: ledger.py writes the file, service.py chooses and audits,
jobs.py runs an export in the background for the web pages and the API."""

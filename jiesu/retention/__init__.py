"""Retention of recordings and text records: versioned policies, the daily purge, deletion on request."""

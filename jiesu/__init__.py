"""Jiesu (接诉): a platform for 12345 government-service hotline work."""

__version__ = "0.1.0"

"""Sensitive and urgent content: the lexicon (versions, matching) and the intake screen."""

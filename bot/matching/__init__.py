"""Matching a question to entries: text normalisation, name and text indexes, the matcher."""

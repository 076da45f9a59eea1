"""Answers: the engine (question -> `Result`), what an answer says (`content`), rendering (`render`)."""

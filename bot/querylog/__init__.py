"""The query log: a SQLite store of questions asked (`store`), reports on it, terminal commands."""

"""exile-desk: a Telegram bot answering sourced questions about Russian opposition figures in exile.

Layers, each importing only those before it: `knowledge` (the format, loading, validation) ←
`matching` (reading a question, finding entries) ← `answers` (the engine, what to say, rendering) ←
`tg` (the Telegram front). `querylog` stands apart; `__main__` is the thin command line.
"""

"""The Telegram front: app wiring, shared state, handlers, admin commands, delivery and transport."""

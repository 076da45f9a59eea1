"""The Telegram front: app wiring, shared state, handlers, admin commands and delivery."""

import os

# PTB 22's opt-in to time periods as `datetime.timedelta` (the int form is deprecated, and every
# `RetryAfter` warns about it without this). Nothing here reads a period as an int.
os.environ.setdefault("PTB_TIMEDELTA", "true")

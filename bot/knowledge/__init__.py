"""The knowledge format (`model`), loading and validation (`load`), and its JSON Schema (`schema`)."""

"""Rasa server add-ons (runtime: .venv-rasa). They must not import the `bot` package."""

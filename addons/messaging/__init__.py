"""Messaging channels (Telegram, WhatsApp, Messenger, Slack) as Rasa input channels; see base.py."""

"""Pieces shared by the bot and the workers: settings, logging, redaction, Telegram access."""

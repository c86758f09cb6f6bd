"""Delivery of messages to Telegram from the worker processes."""

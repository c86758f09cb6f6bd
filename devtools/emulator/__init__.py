"""A local Bot API emulator: the fake Telegram server of the tests and the offline sandbox of `make dev`.

It speaks the subset of the Bot API the project uses over real HTTP, answers errors in Telegram's format,
and can be told to misbehave (flood limits, blocked chats, migrated groups, server errors).
"""

"""What only developers run: the Bot API emulator and its chat page, the `make dev` runner.

The product (`bot/`, `tasks/`, `core/`, `ioc/`) never imports this package, and the Docker image
does not contain it.
"""

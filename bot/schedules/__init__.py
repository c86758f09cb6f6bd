"""Per-chat schedules on the bot side: reading the commands, the group admin check, the replies."""

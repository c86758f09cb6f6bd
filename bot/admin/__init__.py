"""The admins' commands (ADMIN_USER_IDS): /broadcast with its Send/Cancel/Stop buttons, /broadcast_stop,
/stats. Every handler here is behind `AdminGate`; they are not in the public menu or /help."""

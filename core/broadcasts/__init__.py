"""Admin broadcasts: their state in Redis (`store`) and the admin's panel message (`panel`), shared by the
bot (draft, Send, Cancel, Stop) and the workers (delivery, progress, the final summary)."""

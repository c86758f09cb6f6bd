"""Admin broadcasts on the workers: the fan-out of a broadcast into chunks, its progress panel, /stats
counting of every task."""

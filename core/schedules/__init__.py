"""TEMPORARY stub of the schedules contract (sched-engine owns this package); removed before merging it."""

"""Scheduled chat notifications: the schedule, the fan-out to subscribers and the reports they carry."""

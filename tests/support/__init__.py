"""Helpers for the tests and the benchmarks (never fixtures: those live in tests/conftest.py)."""

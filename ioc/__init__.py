"""Composition roots, one per process kind: `ioc.bot`, `ioc.worker`, `ioc.beat`, on `ioc.common`."""

"""`make dev`: the whole stack in one terminal (`python -m devtools.devstack`)."""

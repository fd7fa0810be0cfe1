"""Stand-in package (see tests/host/standin/README.md)."""

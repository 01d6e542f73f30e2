"""The operator's tools: metrics, logs with request ids, readiness, backup and restore, and
running several workers (docs/operations.md)."""

"""Settling the accounts (issue 19): variations (变更) and the final accounts (决算)."""

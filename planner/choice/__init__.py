"""Choosing works by equal shares: choice rounds, approval ballots and the Method of Equal
Shares beside "most votes" (issue 18)."""

"""Payments against an approved funding plan: what each household has paid so far.

The treasurer (or admin) records a household's total paid; the exports and the notices show
where each household stands. This slice grows into the collection ledger.
"""

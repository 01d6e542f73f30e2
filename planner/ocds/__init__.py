"""OCDS 1.1 export (issue 20): every work's tender as Open Contracting Data Standard releases,
a compiled record, and bulk release packages per estate and for all estates (docs/ocds.md)."""

"""Treasurer exports of a funding plan: CSV, XLSX and printable payment notices.

The writers (``csv_export``, ``xlsx_export``, ``notices``) are pure functions over an
:class:`~planner.funding.exports.model.ExportPlan`; ``store`` loads one and ``routes``
serves them.
"""

"""Treasurer exports of a funding plan: CSV, XLSX and printable payment notices.

The writers (``csv_export``, ``xlsx_export``, ``notices``) are pure functions over an
:class:`~planner.funding.exports.model.ExportPlan`; ``service`` loads one and renders it,
``routes`` serves the files.
"""

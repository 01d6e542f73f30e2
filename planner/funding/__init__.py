"""Funding: who pays what for the estate's works, exact to the fen.

``engine`` is the pure optimiser (one package: ``solve`` and its Structs); ``model`` the API
bodies; ``rules`` the pure checks, staleness and who may do what; ``store`` the SQL;
``service`` the use cases; ``routes`` the HTTP face; ``exports`` the treasurer's files.
"""

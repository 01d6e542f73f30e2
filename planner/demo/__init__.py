"""The demo data set: the Zhuzhou residential pilot (DOMAIN.md, "The reference case").

``population`` generates the two estates' households (fixed seeds, no dump), ``story`` holds
the history as plain data, ``loader`` plays it through the service's own HTTP API and
``purge_store`` removes the demo estates again for ``planner demo --reset``.
"""

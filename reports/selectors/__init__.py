"""Report queries (HackSoft "selectors"): one module per report, plus the window and the scope.

Every selector takes the agents in the reader's scope, the filters and `now` as arguments, so
that a report is reproducible for a frozen `now`.
"""

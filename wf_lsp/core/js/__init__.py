"""The JavaScript semantics the real validator relies on (dates, numbers, strings), checked against Node."""

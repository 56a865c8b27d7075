"""Every output format: text, JSON, SARIF 2.1.0, GitHub annotations, statistics, Markdown reports, graphs, rules."""

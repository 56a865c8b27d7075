"""Output formats: text, JSON, SARIF 2.1.0, GitHub annotations, the Markdown run summary, and Mermaid/DOT graphs."""

"""Parsing: text to a JSON value with spans (repair of broken text, locating pointers, line/column)."""

"""Fixes: edit plans, did-you-mean, applying edits, files written atomically, editor actions."""

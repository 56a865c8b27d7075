"""Caches: the shared Redis layer (authenticated), its codec, the local check cache and cache statistics."""

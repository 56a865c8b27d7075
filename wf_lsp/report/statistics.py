"""`check --statistics`: the count of each code, most frequent first, then one line of cache figures."""

from __future__ import annotations

from collections import Counter

from wf_lsp.core.cache.cachestats import CacheStats


def render(counts: Counter[str], cache: CacheStats) -> str:
    """The counts per code, then the cache line (memory, shared and local hits; Redis figures when it was used)."""
    lines = [f"{n:6d}  {code}" for code, n in counts.most_common()]
    shared = cache.shared
    line = f"cache: {cache.hits} hit(s), {cache.shared_hits} shared hit(s), {cache.misses} miss(es)"
    if cache.local_hits is not None:
        line += f"; local: {cache.local_hits} hit(s), {cache.local_misses or 0} miss(es)"
    if shared.get("state") not in (None, "disabled"):
        line += f"; redis: state={shared.get('state')} hits={shared.get('hits', 0)} misses={shared.get('misses', 0)}"
        line += f" rejected={cache.shared_rejected} recomputed={cache.shared_recomputed}"
        line += f" errors={shared.get('errors', 0)} time={shared.get('time_ms', 0):.1f}ms"
    return "\n".join([*lines, line]) + "\n"

"""Where two versions of a text differ: the shortest region whose replacement turns one into the other."""

from __future__ import annotations

#: characters compared per step when looking for the changed region (a slice compare is a memcmp)
CHUNK = 16384
#: A text and where the next differs from it: (old text, start, old_end, new_end), as changed_region gives them.
Since = tuple[str, int, int, int]


def changed_region(old: str, new: str) -> tuple[int, int, int]:
    """(start, old_end, new_end): new is old with old[start:old_end] replaced by new[start:new_end] (the shortest such
    region: the longest common prefix, then the longest common suffix of what is left)."""
    n = min(len(old), len(new))
    lo = 0
    while lo < n:
        hi = min(n, lo + CHUNK)
        if old[lo:hi] != new[lo:hi]:
            while hi - lo > 32:  # the first difference lies in old[lo:hi]: halve
                mid = (lo + hi) // 2
                if old[lo:mid] == new[lo:mid]:
                    lo = mid
                else:
                    hi = mid
            while old[lo] == new[lo]:
                lo += 1
            break
        lo = hi
    limit = n - lo
    lo_old, lo_new = len(old), len(new)
    same = 0  # length of the common suffix found so far
    while same < limit:
        k = min(limit, same + CHUNK)
        if old[lo_old - k : lo_old - same] != new[lo_new - k : lo_new - same]:
            while k - same > 32:
                mid = (same + k) // 2
                if old[lo_old - mid : lo_old - same] == new[lo_new - mid : lo_new - same]:
                    same = mid
                else:
                    k = mid
            while old[lo_old - same - 1] == new[lo_new - same - 1]:
                same += 1
            break
        same = k
    return lo, lo_old - same, lo_new - same


def region_since(old: str, new: str, since: Since | None) -> tuple[int, int, int]:
    """changed_region(old, new), or the region the caller gave, when it gave it against the very text old (an equal
    copy is not enough: only the caller that made new from old knows the region is right)."""
    if since is not None and since[0] is old:
        return since[1], since[2], since[3]
    return changed_region(old, new)


__all__ = ["CHUNK", "Since", "changed_region", "region_since"]

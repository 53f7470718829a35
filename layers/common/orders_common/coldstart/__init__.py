"""Cold-start measures, each pinned by a test that fails when what it relies on changes:
``gc_pause`` (no garbage collection while the function loads), ``lazy_powertools`` (Powertools packages
that import only the names a function uses) and ``snapstart`` (what a SnapStart snapshot holds)."""

"""Use cases of the order desk, one module each; handlers call exactly one of them."""

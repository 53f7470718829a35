"""Where orders meet a market: price sources and exchanges (paper by default)."""

"""Pydantic models: requests, orders, accounts and responses."""

"""API Gateway plumbing shared by the HTTP functions: resolver, JSON, responses and error mapping."""

"""Build and documentation tools: layer bytecode for Lambda, the OpenAPI document."""

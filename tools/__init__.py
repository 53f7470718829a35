"""Build, documentation and operations tools: layer bytecode for Lambda, the OpenAPI document, the event
schemas, the dead-letter queue tool."""

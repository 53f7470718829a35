"""Data access: the DynamoDB table behind the order store."""

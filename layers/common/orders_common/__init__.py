"""The order desk shared by every Lambda function: models, store, execution and HTTP plumbing."""

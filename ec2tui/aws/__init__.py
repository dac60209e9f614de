"""Plain synchronous boto3 code and typed models. Never imports Textual."""

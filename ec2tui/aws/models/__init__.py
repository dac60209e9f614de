"""Typed models (dataclasses) returned by the service functions. Pure Python, no boto3."""

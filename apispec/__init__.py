"""Builds the APIs' OpenAPI documents from the code (``make openapi``); see ``apispec.build``."""

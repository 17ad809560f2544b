"""Shared code of the Fashion OS API, shipped to every function as one Lambda layer.

Organised by feature (``usage``, ...); each feature has its models, its logic and its ``store`` (the only
code that touches boto3 for that feature). Settings, AWS clients and observability live at the root.
"""

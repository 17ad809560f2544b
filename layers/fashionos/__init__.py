"""Shared code of the Fashion OS API, shipped to every function as one Lambda layer.

Organised by feature (``usage``, ...); each feature has its models, its logic and its ``store`` (the only
code that touches boto3 for that feature). Settings, AWS clients and observability live at the root.
"""

# The one place of the API's version (major.minor.patch): the package's (pyproject reads it), every
# response's API-Version header, the OpenAPI documents' info.version. CHANGELOG.md says what each changed.
__version__ = "0.2.1"

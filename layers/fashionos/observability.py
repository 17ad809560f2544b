"""Structured logging (JSON, correlation id = API Gateway request id) and EMF metrics."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics

# A refused request publishes no metric; that is expected, not worth a warning per request.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
metrics = Metrics(namespace="FashionOS")

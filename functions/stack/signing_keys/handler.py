"""Custom resource ``Custom::SigningKeys``: a new stack makes its own first JWT signing key, so its token
endpoint and JWKS work from the first request, with no manual step. A key already there is kept."""

from fashionos import aws
from fashionos.custom_resource import CustomResourceRequest, CustomResourceResult, custom_resource_entrypoint
from fashionos.identity.signing_keys import ensure_signing_key


def signing_keys(request: CustomResourceRequest) -> CustomResourceResult:
    if request.request_type == "Delete":  # the keys go with their secret
        return CustomResourceResult(request.physical_id or request.logical_id)
    secret_id = str(request.properties["SecretId"])
    kid = ensure_signing_key(aws.secretsmanager(), secret_id)
    return CustomResourceResult(f"signing-keys:{secret_id}", {"Kid": kid})


lambda_handler = custom_resource_entrypoint(signing_keys)

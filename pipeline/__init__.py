"""The delivery pipeline's own code: the post-deploy smoke test and the infra lint's SAM translation."""

"""The Design Vault: creator-owned assets, uploaded through presigned POSTs, shared with approved partners
under rights."""

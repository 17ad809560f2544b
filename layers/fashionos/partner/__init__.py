"""The Partner API's request pipeline and per-container clients (handlers live in functions/partner/)."""

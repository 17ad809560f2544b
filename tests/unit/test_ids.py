import re

from fashionos.ids import prefixed_id, random_token, ulid


def test_ulids_are_26_crockford_characters_sorted_by_time() -> None:
    earlier, later = ulid(now=1_700_000_000.000), ulid(now=1_700_000_000.001)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", earlier)
    assert earlier < later


def test_ulid_time_part_is_the_millisecond_timestamp() -> None:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = 0
    for char in ulid(now=1_795_000_000.123)[:10]:
        value = value * 32 + alphabet.index(char)
    assert value == 1_795_000_000_123


def test_prefixed_ids_and_tokens() -> None:
    assert re.fullmatch(r"usr_[0-9A-Z]{26}", prefixed_id("usr"))
    token = random_token(32)
    assert re.fullmatch(r"[A-Za-z0-9]{32}", token)
    assert token != random_token(32)

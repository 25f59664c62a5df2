"""Passwords (policy, bcrypt) and session tokens."""

from __future__ import annotations

import re

import pytest

from core.i18n import translate
from core.security import (
    dummy_hash,
    hash_password,
    new_token,
    password_problem,
    token_hash,
    verify_password,
)


def cost(hashed: str) -> int:
    found = re.match(r"^\$2[aby]\$(\d\d)\$", hashed)
    assert found, hashed
    return int(found.group(1))


# --- the password policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["correct-horse-9", "Tr0ub4dor&3", "长城长城上海北京", "a" * 4 + "bcd" + "e"])
def test_a_good_password_has_no_problem(password):
    assert password_problem(password, "zhang.wei") is None


@pytest.mark.parametrize("password", ["", "short", "1234567"])
def test_a_password_under_eight_characters_is_refused(password):
    assert translate(password_problem(password), "en") == "Use at least 8 characters."


def test_a_password_over_72_bytes_is_refused_even_if_short_in_characters():
    assert password_problem("密" * 24 + "x") is not None  # 73 bytes in UTF-8
    assert password_problem("密码很安全的" * 4) is None  # 72 bytes
    assert "72" in translate(password_problem("x1" * 37), "en")


@pytest.mark.parametrize("password", ["zhang.wei", "Zhang.Wei", "ZHANG.WEI"])
def test_the_username_is_not_a_password(password):
    assert translate(password_problem(password, "zhang.wei"), "en") == "The password must not be the username."


@pytest.mark.parametrize("password", [" Exec-pass-77", "Exec-pass-77 ", "\tExec-pass-77"])
def test_a_password_that_begins_or_ends_with_a_space_is_refused(password):
    # The login form trims what is typed, so such a password could never be used to log in.
    assert translate(password_problem(password), "en") == "Do not begin or end the password with a space."


@pytest.mark.parametrize("password", ["aaaaaaaa", "abababab", "abcabcabcabc"])
def test_a_repetitive_password_is_refused(password):
    assert translate(password_problem(password), "en") == "Use a less repetitive password."


# --- hashing ---------------------------------------------------------------------------------------


def test_a_hashed_password_verifies_and_a_wrong_one_does_not():
    hashed = hash_password("correct-horse-9")
    assert hashed != "correct-horse-9"
    assert verify_password("correct-horse-9", hashed)
    assert not verify_password("correct-horse-8", hashed)
    assert not verify_password("", hashed)


def test_the_same_password_hashes_differently_each_time():
    assert hash_password("correct-horse-9") != hash_password("correct-horse-9")


def test_a_chinese_password_round_trips():
    hashed = hash_password("长城长城上海北京")
    assert verify_password("长城长城上海北京", hashed)
    assert not verify_password("长城长城上海北", hashed)


@pytest.mark.parametrize("garbage", ["", "not-a-hash", "$2b$04$short", "x" * 60, "$argon2id$v=19$m=65536,t=3,p=4$abc"])
def test_verifying_against_a_garbage_hash_is_false_not_an_error(garbage):
    assert verify_password("correct-horse-9", garbage) is False


def test_hashes_use_the_configured_cost(test_settings):
    assert cost(hash_password("correct-horse-9")) == test_settings.bcrypt_rounds


def test_the_dummy_hash_costs_as_much_as_a_real_one(test_settings):
    assert cost(dummy_hash()) == test_settings.bcrypt_rounds


def test_no_password_matches_the_dummy_hash():
    for guess in ("", "password", "correct-horse-9"):
        assert not verify_password(guess, dummy_hash())


# --- session tokens --------------------------------------------------------------------------------


def test_new_tokens_are_long_and_unique():
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(token) >= 40 for token in tokens)


def test_a_token_hash_is_deterministic_and_not_the_token():
    token = new_token()
    assert token_hash(token) == token_hash(token)
    assert token_hash(token) != token
    assert token not in token_hash(token)
    assert re.fullmatch(r"[0-9a-f]{64}", token_hash(token))


def test_different_tokens_have_different_hashes():
    assert token_hash("a" * 43) != token_hash("a" * 42 + "b")

"""Builders of valid test data: a test overrides only the fields it is about."""

from itertools import count

_numbers = count(1)  # makes the values of unique fields differ between rows

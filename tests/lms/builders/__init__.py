"""Builders of the lms tests, one module per source folder they build for (people, competencies,
shared)."""

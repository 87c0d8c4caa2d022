"""Attempts: start, read, autosave, submit, manual marks, scoring, and the counted attempt of each
participant."""

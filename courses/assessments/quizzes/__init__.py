"""Quizzes of a session: their rules (selection, review policy, times) and the bank and quiz
routes."""

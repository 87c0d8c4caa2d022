"""Trainers (narasumber): people from the register or outsiders."""

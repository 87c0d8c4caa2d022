"""Builders of the courses tests, one module per source folder they build for (delivery,
assessments, results); quiz_world.py seeds a whole database for a server run."""

"""The SQLite engine: one writer thread, reader threads, compiled statements and IMMEDIATE
transactions behind Piccolo's engine interface."""

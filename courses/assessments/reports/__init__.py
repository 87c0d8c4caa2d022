"""Assessment reports: item analysis, learning gain, reaction evaluations and the exact statistics
they share."""

"""Prima: training and competency tracking for Indonesian local government."""

__version__ = "0.1.0"

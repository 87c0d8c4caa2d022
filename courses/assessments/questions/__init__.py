"""Questions and their banks: the question model, exact grading of one response, GIFT and Aiken
files, writing by hand, and the rows they are stored as."""

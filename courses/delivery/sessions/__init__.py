"""Sessions (angkatan): scheduling, status, who may see and run one, seats and the waitlist
counters, and the body fields every delivery schema shares."""

"""What LTI means for sessions: a host LMS course's roster becomes the session's enrollment, and
the session's final scores go back to the LMS gradebook (the platform side is ``lms.lti``)."""

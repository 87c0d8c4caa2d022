"""LTI 1.3 tool core: platforms, the tool's keys and JWKS, login initiation, launch validation.

What knows sessions, quizzes and results (deep-link content, roster to enrollment, scores to a
gradebook) belongs to ``courses``; this package only knows platforms, keys, identities and the
1EdTech Security Framework's checks.
"""

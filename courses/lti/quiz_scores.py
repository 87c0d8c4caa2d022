"""A quiz's score to the LMS gradebook (AGS 2.0) as soon as it is graded.

A quiz an instructor placed by Deep Linking gets a line item in the LMS (Prima asked for one,
``scoreMaximum`` 100); its launches carry that line item's URL, and the placement remembers
which quiz it is (``LtiResourceLink.quiz_id``). When a participant's attempt is graded
(submitted, closed at the deadline, or re-totalled after a trainer marks an essay), their
grade on the quiz goes to each such line item of a platform they launched Prima from:

* ``scoreGiven`` is the quiz grade in percent by the quiz's grading method over the finished
  attempts (with one attempt: that attempt's percent), ``scoreMaximum`` 100, as the line item
  was declared; a later, lower attempt under "highest" does not overwrite the grade;
* ``activityProgress`` ``Completed``; ``gradingProgress`` ``PendingManual`` while an essay
  waits for a trainer, then ``FullyGraded`` when the trainer's mark re-grades the attempt.

The score is stored and sent by the ``lti.scores`` job (``courses.lti.delivery``): the
participant's submit never waits for the LMS, and a refusal is retried with backoff. Wired by
the composition root as a listener of ``courses.assessments.attempts.events``.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from uuid import UUID

from courses.assessments.attempts.scoring import FINISHED, apply_method
from courses.lti import delivery
from courses.tables import Attempt, Quiz
from lms.config import Settings
from lms.lti.tables import LtiResourceLink
from lms.shared.values import cents, utcnow

logger = logging.getLogger("courses.lti")


async def queue_quiz_score(attempt_id: UUID, settings: Settings) -> UUID | None:
    """Store the attempt's person's quiz grade for every line item of that quiz and start the
    job that sends it; the job id, or None when nothing is to be sent."""
    attempt = (
        await Attempt.select(Attempt.quiz, Attempt.person, Attempt.status)
        .where(Attempt.id == attempt_id)
        .first()
    )
    if attempt is None or attempt["status"] != FINISHED:
        return None
    links = await LtiResourceLink.select(
        LtiResourceLink.id, LtiResourceLink.platform, LtiResourceLink.lineitem_url
    ).where((LtiResourceLink.quiz_id == attempt["quiz"]) & (LtiResourceLink.lineitem_url != ""))
    if not links:
        return None
    quiz = (
        await Quiz.select(Quiz.session, Quiz.grading_method)
        .where(Quiz.id == attempt["quiz"])
        .first()
    )
    if quiz is None:
        return None
    person_id = attempt["person"]
    finished = (
        await Attempt.select(Attempt.percent, Attempt.needs_grading)
        .where(
            (Attempt.quiz == attempt["quiz"])
            & (Attempt.person == person_id)
            & (Attempt.status == FINISHED)
        )
        .order_by(Attempt.number)
    )
    grade = apply_method(quiz["grading_method"], [cents(r["percent"] or 0) for r in finished])
    if grade is None:
        return None
    pending_manual = any(r["needs_grading"] for r in finished)
    ids = []
    for link in links:
        subs = await delivery.platform_subs(link["platform"], [person_id])
        sub = subs.get(person_id)
        if sub is None:  # never launched from that LMS: its user id is unknown
            continue
        payload = {
            "userId": sub,
            "scoreGiven": float(cents(Decimal(grade))),
            "scoreMaximum": 100,
            "activityProgress": "Completed",
            "gradingProgress": "PendingManual" if pending_manual else "FullyGraded",
            "timestamp": delivery.when(utcnow()),
        }
        score_id = await delivery.store(
            link["id"], person_id, payload, session_id=quiz["session"], quiz_id=attempt["quiz"]
        )
        if score_id is not None:
            ids.append(score_id)
    if not ids:
        return None
    if LtiResourceLink._meta.db.transaction_exists():
        # Graded inside someone else's transaction (finalize closing an overdue attempt): a job
        # started now would run before the commit. The rows wait as pending; the organizer's
        # status list shows them and "kirim ulang" sends them.
        logger.info("quiz score of attempt %s kept pending (inside a transaction)", attempt_id)
        return None
    return await delivery.queue(ids, settings)

"""What people's services announce: enrollments applied, admitted, waitlisted or withdrawn;
submissions, attendance and changed participant details.
"""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


# --- people --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnrollmentApplied(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class EnrollmentAdmitted(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class EnrollmentWaitlisted(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class EnrollmentWithdrawn(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class SubmissionReceived(Event):
    submission_id: int
    deadline_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class AttendanceRecorded(Event):
    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class ParticipantChanged(Event):
    """Name, language or feed token changed, or the participant was erased."""

    participant_id: int

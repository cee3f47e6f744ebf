"""People: organisations, participants, registration, enrollments, submissions, attendance,
uploads, imports and privacy (export and erasure).
"""

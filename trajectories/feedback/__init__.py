"""Feedback: the question after each session ("Hoe nuttig was deze sessie?", 1–5, a comment) and
the evaluation at the end of an edition (fixed questions plus the coordinator's own).

Answers are anonymous in every view: a row keeps a keyed hash of who answered (`respondent`,
`tokens.respondent`), never the participant's id, so no query can join an answer to a name.
"""

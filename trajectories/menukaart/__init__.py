"""The Menukaart: VNG Gemeenten4GlobalGoals' public library of examples of what municipalities
did. An example is written by a coordinator, made from a deliverable (published only after the
municipality consents by a mail link), or proposed by a municipality through a public form
(double opt-in) and reviewed by a coordinator."""

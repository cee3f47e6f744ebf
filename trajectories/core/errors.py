"""The one error type that services raise for bad input."""

from __future__ import annotations


class InvalidInput(Exception):
    """Input a service refuses; nothing was written.

    `message` is for the person who typed it (Dutch by default, translated by Flask-Babel),
    `field` names the form field it belongs beside, when there is one. `errors` maps every
    field found wrong to its message (a form checked as a whole reports them all at once);
    `message` and `field` are then the first of them.
    """

    def __init__(self, message: str, field: str | None = None,
                 errors: dict[str, str] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.errors = dict(errors) if errors else ({field: self.message} if field else {})


class FieldChecks:
    """Run a form's checks one after another and keep every field's error, so the person sees
    them all at once: `value = checks.run(check, ...)` gives "" for a refused field;
    `checks.done()` raises one InvalidInput naming them all."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def run(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except InvalidInput as exc:
            if not exc.field:
                raise
            self.errors.setdefault(exc.field, exc.message)
            return ""

    def done(self) -> None:
        if self.errors:
            field, message = next(iter(self.errors.items()))
            raise InvalidInput(message, field, self.errors)


class NotFound(Exception):
    """The object does not exist, or is not visible to whoever asked (answered as 404)."""

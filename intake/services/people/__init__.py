"""People: insertion jobs (insertion), self-repair sessions and volunteers' hours (participation), members
(members); their figures for the funders count and never name (figures)."""


class PeopleRefused(ValueError):
    """The record is not valid as given: ``errors`` maps field names to messages ("" for the form)."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(str(message) for message in errors.values()))
        self.errors = errors

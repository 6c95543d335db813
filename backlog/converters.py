class IdConverter:
    """A database id in a URL: digits that fit a 64-bit integer (anything longer is 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)

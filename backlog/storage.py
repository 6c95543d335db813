from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed, cached-forever files once `collectstatic` has run (make serve).

    Before that (development, tests) a file is not in STATIC_ROOT yet, so its plain name is
    used and the static finders serve it, instead of every page failing to render.
    """

    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            return name

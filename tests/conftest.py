import pytest


def pytest_configure(config):
    """Tests hash passwords with a fast hasher (Django's advice for test speed): the production
    PBKDF2 (a million rounds) would spend most of the suite creating the cast's users. What is
    tested — policy, history, lockout — does not depend on the hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files go to a directory of this run, removed at its end, never to var/media.
    import tempfile

    media = tempfile.mkdtemp(prefix="uplift-test-media-")
    config._uplift_media = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": media}},
    }


def pytest_unconfigure(config):
    import shutil

    media = getattr(config, "_uplift_media", None)
    if media:
        shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read messages in English; the product's default stays zh-hans."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def w(db):
    """The shared cast of records and users (Hubei in scope, Hunan out): uplift.core.testing.World."""
    from uplift.core.testing import World

    return World()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty caches, so API throttling counts only its own requests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def d(w):
    """Delivery on top of the World: a started Hubei project with an approved activity in which
    ``w.ent_in`` took part, and Hunan's (uplift.delivery.testing.DeliveryScenario)."""
    from uplift.delivery.testing import DeliveryScenario

    return DeliveryScenario(w)

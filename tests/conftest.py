import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read messages in English; the product's default stays zh-hans."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def w(db):
    """The shared cast of records and users (Hubei in scope, Hunan out): uplift.core.testing.World."""
    from uplift.core.testing import World

    return World()

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read messages in English; the product's default stays zh-hans."""
    settings.LANGUAGE_CODE = "en"

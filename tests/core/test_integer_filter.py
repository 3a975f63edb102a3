"""An id or year filter given something that is not a whole number a column can hold."""

import pytest


@pytest.mark.parametrize("value", ["4.631315859037858e+49", "99999999999999999999", "1.5", "abc", "-1"])
def test_a_number_no_column_holds_is_a_clear_error_on_the_field(client, w, value):
    client.force_login(w.officer)
    response = client.get("/api/programmes/pilots/", {"cluster": value})
    assert response.status_code == 400
    assert "cluster" in response.json()
    page = client.get("/programmes/pilots/", {"cluster": value})
    assert page.status_code == 200
    assert page.context["filter"].errors["cluster"]

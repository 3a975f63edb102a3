"""Each user lands on a page showing the records they act for, and nothing of anyone else's."""

from django.urls import reverse


def test_enterprise_user_home_shows_their_enterprise_only(w, client):
    client.force_login(w.enterprise_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert w.ent_in.get_absolute_url() in response.content.decode()
    assert w.ent_out.name not in response.content.decode()


def test_institution_home_shows_its_institution_and_pilots(w, client):
    client.force_login(w.institution_user)
    body = client.get(reverse("home")).content.decode()
    assert w.inst_in.get_absolute_url() in body
    assert w.pilot_in.get_absolute_url() in body
    assert w.pilot_out.get_absolute_url() not in body


def test_officer_lands_on_the_dashboard(w, client):
    client.force_login(w.officer)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:dashboard", args=["hubei-2018"])


def test_user_without_role_is_told_what_to_do(w, client):
    client.force_login(w.nobody)
    assert "security administrator" in client.get(reverse("home")).content.decode()

"""The pages' one way of saving a form: valid → service → message → redirect; a service's
ValidationError back on the form; a record already there answered with an information. And
of a button without a form: the service's refusal an error message, redirected either way."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.test import RequestFactory

from dashboard.views.forms_support import run_action, save_form


class NameForm(forms.Form):
    name = forms.CharField()


def _request(method: str, data: dict | None = None):
    factory = RequestFactory()
    request = factory.post("/", data or {}) if method == "POST" else factory.get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(request)]


def test_it_leaves_a_get_to_the_page():
    request = _request("GET")
    form = NameForm(None)
    calls = []
    done = save_form(request, form, lambda: calls.append(1), success="saved", then="/done/")
    assert done is None
    assert calls == []


def test_it_leaves_an_invalid_form_to_the_page_without_calling_the_service():
    request = _request("POST", {})
    form = NameForm(request.POST)
    calls = []
    done = save_form(request, form, lambda: calls.append(1), success="saved", then="/done/")
    assert done is None
    assert calls == []
    assert "name" in form.errors


def test_it_saves_says_so_and_redirects():
    request = _request("POST", {"name": "li"})
    form = NameForm(request.POST)
    done = save_form(
        request,
        form,
        lambda: form.cleaned_data["name"],
        success=lambda name: f"{name} saved",
        then=lambda name: redirect(f"/people/{name}/"),
    )
    assert done.status_code == 302
    assert done.url == "/people/li/"
    assert _messages(request) == [("success", "li saved")]


def test_it_puts_the_services_errors_on_the_form():
    request = _request("POST", {"name": "张三"})
    form = NameForm(request.POST)

    def refuse():
        raise ValidationError({"name": ["taken"], "village": ["not yours"]})

    done = save_form(request, form, refuse, success="saved", then="/done/")
    assert done is None
    assert form.errors["name"] == ["taken"]
    assert form.non_field_errors() == ["not yours"]  # a field the form does not have
    assert _messages(request) == []


def test_it_answers_a_record_already_there_with_an_information():
    request = _request("POST", {"name": "张三"})
    form = NameForm(request.POST)
    done = save_form(
        request,
        form,
        lambda: ("the first one", False),
        success="saved",
        already="already saved",
        then="/done/",
    )
    assert done.url == "/done/"
    assert _messages(request) == [("info", "already saved")]


def test_it_passes_the_errors_through_the_pages_translation():
    request = _request("POST", {"name": "张三"})
    form = NameForm(request.POST)

    def refuse():
        raise ValidationError({"full_name": ["too long"]})

    save_form(
        request,
        form,
        refuse,
        success="saved",
        then="/done/",
        errors=lambda exc: ValidationError({"name": exc.message_dict["full_name"]}),
    )
    assert form.errors["name"] == ["too long"]


def test_a_button_says_it_worked_and_redirects():
    request = _request("POST")
    done = run_action(request, lambda: None, success="verified", then="/queue/")
    assert done.url == "/queue/"
    assert _messages(request) == [("success", "verified")]


def test_a_button_refused_says_why_and_redirects_all_the_same():
    request = _request("POST")

    def refuse():
        raise ValidationError("already decided")

    done = run_action(request, refuse, success="verified", then="/queue/")
    assert done.url == "/queue/"
    assert _messages(request) == [("error", "already decided")]

"""What every page with a form does the same way."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message beside its field, the rest
    (and errors of fields the form does not have) above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        if field == "client_uuid" and field in form.fields:
            _send_again_as_new(form)
            continue
        form.add_error(field if field in form.fields else None, errors)


def _send_again_as_new(form) -> None:
    """The form's key (its hidden ``client_uuid``) was used for a save with other content: a
    record was saved from this form before, and what is sent now differs from it. Nothing was
    written; the form is shown again with a fresh key and a word on what happened, so that
    saving once more stores what is on the screen as a record of its own."""
    data = form.data.copy()
    data[form.add_prefix("client_uuid")] = str(uuid.uuid4())
    form.data = data
    form.add_error(
        None,
        # zh: 这张表此前已经保存过一次，内容与现在不同，这次没有保存。请核对：如果确实要再记一条，
        #     请再点一次保存。
        _(
            "This form was saved once before with other content, so nothing was saved now. "
            "Check it: to record it as another entry, save once more."
        ),
    )


def save_form(
    request: HttpRequest,
    form,
    save: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], HttpResponse],
    already: str | None = None,
    errors: Callable[[ValidationError], ValidationError] | None = None,
) -> HttpResponse | None:
    """Form → service → message → redirect, for a posted form.

    When the request is a POST and the form is valid, call ``save`` (the service); a
    ``ValidationError`` it raises goes onto the form (through ``errors`` first, when the
    service's field names differ from the form's) and ``None`` is returned, so the caller
    shows the form again, as it does for a GET or an invalid form. Otherwise add ``success``
    (a message, or a function of what ``save`` returned) and redirect to ``then`` (a URL name
    or path, or a function of what ``save`` returned giving the response).

    With ``already``, ``save`` returns ``(record, created)`` (an idempotent service): a record
    that was already there is answered with ``already`` as an information message instead."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save()
    except ValidationError as exc:
        apply_errors(form, errors(exc) if errors is not None else exc)
        return None
    if already is not None and not result[1]:
        messages.info(request, already)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return then(result) if callable(then) else redirect(then)


def run_action(
    request: HttpRequest, action: Callable[[], Any], *, success: str, then: str
) -> HttpResponse:
    """A button's POST without a form (verify, reject): call ``action`` (the service); its
    ``ValidationError`` is shown as an error message, success as ``success``; either way
    redirect to ``then``."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(then)

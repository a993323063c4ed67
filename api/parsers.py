"""The API's JSON parser: a body Python cannot parse is a 400, never a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from eldercare.input import too_deep_message


class JSONParser(parsers.JSONParser):
    """DRF's parser, with a ``RecursionError`` (a body nested around a thousand levels deep) as
    the 400 it is. ``RefuseUnreadableInputMiddleware`` refuses such bodies first (beyond
    ``eldercare.input.MAX_JSON_DEPTH``); this holds if a body ever reaches the parser anyway."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep_message()) from None

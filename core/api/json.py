"""The API's JSON in through msgspec and out through orjson (compiled: a 10,000-item bulk body reads in about half,
and its answer writes in a tenth, of the standard library's time), with DRF's JSONParser and JSONRenderer kept as
the definition:

- a body msgspec cannot read (not UTF-8 JSON, NaN, a number beyond a float's range, a lone surrogate, a BOM) goes
  to DRF's parser itself, which reads it or answers its own 400 in its own words (msgspec reads big integers
  exactly, as the standard library does; orjson would make them floats);
- a value orjson does not write as DRF does (dates and times, Decimal, lazy text, numpy values, sets) is handed to
  DRF's own encoder, a subclass of str, int, dict or list is read as the standard library reads it (its raw text
  or number, its items(), its iteration: a QueryDict's last values, an ErrorList's messages), and anything orjson
  refuses outright is written by DRF's renderer; U+2028/2029 are escaped as DRF escapes them; indented output
  (the browsable API, `; indent=`) is DRF's.

Left different: a float's text where two are the same number (orjson's 0.000045 and 1.2e-7 for json's 4.5e-05
and 1.2e-07), and a float NaN or infinity, which DRF refused to write (a 500) and orjson writes as null."""

import codecs
import io

import msgspec
import orjson
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

TOO_DEEP = "JSON parse error - the body is nested too deeply."
_decode = msgspec.json.Decoder().decode
_DRF_ENCODE = JSONEncoder().default
_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_SUBCLASS)


def _encode(value):
    """A value orjson hands back, as json.dumps with DRF's encoder writes it. orjson would write a subclass of a
    builtin from its raw storage, json reads it through its methods; DRF's encoder would split a str subclass
    (ErrorDetail, a TextChoices member) into characters, so those four kinds are read here."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, dict):
        return dict(value.items())
    if isinstance(value, list):
        return list(value)
    return _DRF_ENCODE(value)


def dumps(data) -> bytes:
    """`data` as compact UTF-8 JSON text, what DRF's JSONRenderer writes (TypeError or
    orjson.JSONEncodeError where orjson cannot write it)."""
    text = orjson.dumps(data, default=_encode, option=_OPTIONS)
    if b"\xe2\x80\xa8" in text or b"\xe2\x80\xa9" in text:  # DRF's escapes: JSON that is also a JavaScript subset
        text = text.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
    return text


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.ensure_ascii or not self.compact or self.get_indent(
                accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return dumps(data)
        except (TypeError, orjson.JSONEncodeError):  # a value DRF's encoder writes only inside json.dumps
            return super().render(data, accepted_media_type, renderer_context)


class JSONParser(parsers.JSONParser):
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            encoding = parsers.get_encoding(parser_context or {})  # DRF's: a text codec or its 400
            if codecs.lookup(encoding).name == "utf-8" and api_settings.STRICT_JSON:
                try:
                    return _decode(raw)
                except msgspec.DecodeError:
                    pass
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:  # thousands of nested brackets: both readers give up, and DRF's answer was a 500
            raise ParseError(TOO_DEEP) from None

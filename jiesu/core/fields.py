"""Model fields for personal data: a column sealed with SM4-GCM, and a phone search digest.

`SealedCharField` holds text in Python and base64 of a sealed value (format 0x02, see
jiesu.core.crypto) in the database. The associated data is "<db_table>.<column>", so a value
copied into another column does not open. Sealing happens in `get_db_prep_value` and opening in
`from_db_value`, so save(), bulk_create(), update(), .values() and .only() all see plaintext in
Python and ciphertext in SQL; so do bulk writers that bind values through `get_db_prep_save`.
The empty string stays empty (a blank value needs no secrecy and keeps `field=""` filters
working); every other lookup is refused, because an equality test on a value sealed under a
random nonce can never match: search through a digest instead.

`PhoneDigestField` fills itself from its source field in `pre_save` (called by save() and by
bulk_create), so callers never set it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Exact, IsNull, Lookup

from jiesu.core.crypto import DecryptionFailed
from jiesu.core.keyring import keyring


def sealed_context(table: str, column: str) -> bytes:
    """The associated data binding a sealed value to its column."""
    return f"{table}.{column}".encode()


def sealed_text(sealed: bytes) -> str:
    return base64.b64encode(sealed).decode("ascii")


def sealed_bytes(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionFailed("not a sealed value (bad base64)") from exc


class BlankOnlyExact(Exact):  # type: ignore[type-arg]
    """`field=""` works; `field="13812345678"` would silently match nothing, so it is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(f"{self.lhs.target.name} is sealed: only blank values can be filtered on")
        return super().get_prep_lookup()


class SealedCharField(models.Field):  # type: ignore[type-arg]
    """Text sealed with SM4-GCM under the field keyring; `max_length` limits the plaintext."""

    description = "SM4 加密文本"
    ALLOWED_LOOKUPS: dict[str, type[Lookup[Any]]] = {"exact": BlankOnlyExact, "isnull": IsNull}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))
        self._context: bytes | None = None

    def get_internal_type(self) -> str:
        return "TextField"

    def context(self) -> bytes:
        if self._context is None:
            self._context = sealed_context(self.model._meta.db_table, self.column)
        return self._context

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        return self.ALLOWED_LOOKUPS.get(lookup_name)

    def get_transform(self, lookup_name: str) -> None:
        return None

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value: Any) -> str | None:
        return self.to_python(super().get_prep_value(value))

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if type(value) is not str:  # a plain str, by far the most common, needs no preparing
            value = value if prepared else self.get_prep_value(value)
            if value is None:
                return None
        if not value:
            return value
        return sealed_text(keyring().seal(value.encode(), self.context()))

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        if not value:
            return value
        return keyring().open(sealed_bytes(value), self.context()).decode()

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        kwargs.setdefault("max_length", self.max_length)
        return super().formfield(
            form_class=form_class or forms.CharField, choices_form_class=choices_form_class, **kwargs
        )


class PhoneDigestField(models.CharField):  # type: ignore[type-arg]
    """The keyed digest of the phone number in `source` (jiesu.core.keyring), set on every save."""

    description = "电话号码检索摘要"

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    @staticmethod
    def value_for(phone: str | None) -> str:
        """The digest stored for `phone`: for bulk writers that bypass pre_save (raw INSERT, COPY)."""
        return keyring().phone_digest(phone) if phone else ""

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.value_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

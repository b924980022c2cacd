"""Shared model machinery: camelCase wire names, open enums, tolerant unions and secrets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, PlainSerializer, SecretStr
from pydantic.alias_generators import to_camel
from pydantic_core import core_schema

__all__ = [
    "REVEAL_SECRETS",
    "FabricModel",
    "OpenEnum",
    "Secret",
    "discriminator_by",
    "to_wire",
]

REVEAL_SECRETS = "reveal_secrets"
"""Serialisation context key. Secrets are written out only when this key is true."""

_MASK = "**********"

E = TypeVar("E", bound=StrEnum)


class FabricModel(BaseModel):
    """Base of every request and response model.

    Python names are snake_case and wire names camelCase; fields the service adds later are kept
    (``extra="allow"``) and written back, so a parsed document serialises to an equivalent one with
    ``model_dump(by_alias=True, exclude_unset=True, mode="json")``.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        validate_assignment=False,
        # Build each model's validator on first use, not at import: a command touches a handful
        # of the models, and building all of them would dominate the CLI's start-up.
        defer_build=True,
    )

    # Fields that identify the subtype on the wire (discriminators). They are always written, even
    # when the value came from the class default rather than from the caller.
    _always_serialised: ClassVar[tuple[str, ...]] = ()

    def model_post_init(self, context: Any, /) -> None:
        for name in self._always_serialised:
            self.model_fields_set.add(name)

    def to_wire(self) -> dict[str, Any]:
        """The JSON document sent to the service: wire names, unset fields left out, secrets
        revealed. Use only to build a request body."""
        return to_wire(self)


def to_wire(model: BaseModel) -> dict[str, Any]:
    """Serialise ``model`` for sending (see ``FabricModel.to_wire``)."""
    return model.model_dump(
        by_alias=True,
        exclude_unset=True,
        exclude_none=False,
        mode="json",
        context={REVEAL_SECRETS: True},
    )


@dataclass(frozen=True)
class OpenEnum:
    """``Annotated[MyEnum | str, OpenEnum(MyEnum)]``: a known value becomes the enum member, an
    unknown string is kept as it is. The spec marks every enum "may be added over time"."""

    enum: type[StrEnum]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        enum = self.enum

        def coerce(value: Any) -> StrEnum | str:
            if isinstance(value, enum):
                return value
            if isinstance(value, str):
                try:
                    return enum(value)
                except ValueError:
                    return value
            raise ValueError(f"expected a string for {enum.__name__}, got {type(value).__name__}")

        return core_schema.no_info_plain_validator_function(
            coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _enum_text, when_used="always"
            ),
        )


def _enum_text(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def serialise_secret(value: SecretStr, info: core_schema.SerializationInfo) -> str:
    """Reveal a secret only when the caller asked for it (building a request body)."""
    context = info.context
    if isinstance(context, Mapping) and context.get(REVEAL_SECRETS):
        return value.get_secret_value()
    return _MASK


def discriminator_by(field: str, known: Mapping[str, Any]) -> Callable[[Any], str]:
    """A callable discriminator that picks a subtype by ``field`` (wire or Python name), and falls
    back to the tag ``"other"`` (the base model) for values the service adds later."""
    wire = to_camel(field)

    def pick(value: Any) -> str:
        if isinstance(value, Mapping):
            tag = value.get(wire, value.get(field))
        else:
            tag = getattr(value, field, None)
        tag = _enum_text(tag)
        return tag if isinstance(tag, str) and tag in known else "other"

    return pick


Secret = Annotated[SecretStr, PlainSerializer(serialise_secret, when_used="always")]
"""A secret field: ``SecretStr`` in Python (masked in reprs and ordinary dumps), revealed on the
wire only through ``to_wire``."""

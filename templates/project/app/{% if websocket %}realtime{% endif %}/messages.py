"""The JSON messages exchanged over the WebSocket, validated in both directions."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from app.services.publishing import DomainEvent

Channel = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.:-]{0,63}$")]


class _ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Subscribe(_ClientMessage):
    """Start receiving the events of a channel."""

    type: Literal["subscribe"]
    channel: Channel


class Unsubscribe(_ClientMessage):
    """Stop receiving the events of a channel."""

    type: Literal["unsubscribe"]
    channel: Channel


class Pong(_ClientMessage):
    """The answer to a `ping`: proves the client is still there."""

    type: Literal["pong"]


ClientMessage = Annotated[Subscribe | Unsubscribe | Pong, Field(discriminator="type")]
client_message = TypeAdapter[ClientMessage](ClientMessage)


class EventMessage(DomainEvent):
    """An event, as subscribers of its channel receive it.

    `truncated` events were too large to send whole: their `data` holds the `id` only.
    """

    type: Literal["event"] = "event"
    truncated: bool = False


class Acknowledgement(BaseModel):
    """Confirms a subscribe or unsubscribe."""

    type: Literal["subscribed", "unsubscribed"]
    channel: str


class ErrorMessage(BaseModel):
    """Says why the last client message was refused; the connection stays open."""

    type: Literal["error"] = "error"
    detail: str


class Ping(BaseModel):
    """Sent after a quiet spell; the client must answer with a `pong`."""

    type: Literal["ping"] = "ping"

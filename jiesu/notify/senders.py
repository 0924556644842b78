"""Talking to the outside channels: SMTP, WeCom group-robot webhooks and an HTTP SMS gateway.

Each sender returns a short note of the server's answer for the delivery log, or raises
SendFailed with the reason; retrying is the caller's business.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection

from jiesu.notify.choices import BodyFormat, DeliveryChannel, HttpMethod
from jiesu.notify.models import ChannelConfig

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
WECOM_MAX_BYTES = 2048  # the robot API refuses longer text
SMS_MAX_CHARS = 300
RESPONSE_NOTE_CHARS = 500


class SendFailed(Exception):
    """The channel did not accept the message; `str(exc)` is stored on the delivery."""


@dataclass(frozen=True)
class OutgoingMessage:
    address: str
    subject: str
    body: str
    link: str = ""
    # (file name, content, MIME type); only e-mail carries them.
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    message_id: str = ""

    @property
    def full_text(self) -> str:
        parts = [self.subject, self.body, self.link]
        return "\n".join(p for p in parts if p)


def send_email(config: ChannelConfig, message: OutgoingMessage) -> str:
    if not message.address:
        raise SendFailed("收件人没有邮箱地址")
    connection = get_connection(
        SMTP_BACKEND,
        host=config.smtp_host,
        port=config.smtp_port,
        username=config.smtp_username or None,
        password=config.resolved_smtp_password() or None,
        use_tls=config.smtp_use_tls,
        use_ssl=config.smtp_use_ssl,
        timeout=config.timeout_seconds,
        fail_silently=False,
    )
    body = "\n\n".join(p for p in (message.body, message.link) if p)
    # Several recipients of one message (a report pack) are comma-separated, as for WeCom.
    email = EmailMessage(
        subject=message.subject,
        body=body,
        from_email=config.from_address,
        to=[a.strip() for a in message.address.split(",") if a.strip()],
        connection=connection,
        attachments=list(message.attachments),
        headers={"Message-ID": message.message_id} if message.message_id else None,
    )
    try:
        sent = email.send()
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"SMTP 发送失败：{type(exc).__name__}: {exc}") from exc
    if sent != 1:
        raise SendFailed("SMTP 服务器未接受邮件")
    return f"SMTP {config.smtp_host}:{config.smtp_port} 已接受"


def _http(config: ChannelConfig, url: str, *, method: str, data: bytes | None, headers: dict[str, str]) -> str:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise SendFailed(f"只支持 http/https 地址：{url}")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_seconds) as response:  # noqa: S310 - scheme checked
            status = int(response.status)
            text = str(response.read(65536).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace")
        raise SendFailed(f"HTTP {exc.code}: {detail[:RESPONSE_NOTE_CHARS]}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SendFailed(f"网络错误：{exc}") from exc
    except (ValueError, UnicodeError) as exc:  # e.g. non-ASCII characters in the configured address
        raise SendFailed(f"地址无效：{exc}") from exc
    if not 200 <= status < 300:
        raise SendFailed(f"HTTP {status}: {text[:RESPONSE_NOTE_CHARS]}")
    return text


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", "ignore") + "…"


def send_wecom(config: ChannelConfig, message: OutgoingMessage) -> str:
    """A text message to a WeCom group robot, mentioning the recipients by mobile number."""
    mentions = [p for p in message.address.split(",") if p]
    text: dict[str, object] = {"content": _truncate_bytes(message.full_text, WECOM_MAX_BYTES)}
    if mentions:
        text["mentioned_mobile_list"] = mentions
    payload = json.dumps({"msgtype": "text", "text": text}, ensure_ascii=False).encode("utf-8")
    answer = _http(
        config,
        config.webhook_url,
        method="POST",
        data=payload,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        result = json.loads(answer)
    except ValueError as exc:
        raise SendFailed(f"企业微信返回的不是 JSON：{answer[:200]}") from exc
    if not isinstance(result, dict) or result.get("errcode") != 0:
        raise SendFailed(f"企业微信返回错误：{answer[:RESPONSE_NOTE_CHARS]}")
    return answer[:RESPONSE_NOTE_CHARS]


def _fill(template: str, phone: str, text: str, escape: Callable[[str], str]) -> str:
    return template.replace("{phone}", escape(phone)).replace("{text}", escape(text))


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


DEFAULT_SMS_TEMPLATES = {
    BodyFormat.JSON: '{"phone": "{phone}", "text": "{text}"}',
    BodyFormat.FORM: "phone={phone}&text={text}",
}


def send_sms(config: ChannelConfig, message: OutgoingMessage) -> str:
    """One SMS through the HTTP gateway, shaped by the configured template."""
    if not message.address:
        raise SendFailed("接收人没有手机号")
    text = message.subject if not message.body else f"{message.subject}：{message.body}"
    text = text[:SMS_MAX_CHARS]
    headers = {str(k): str(v) for k, v in (config.headers or {}).items()}
    if config.http_method == HttpMethod.GET:
        url = _fill(config.gateway_url, message.address, text, urllib.parse.quote)
        answer = _http(config, url, method="GET", data=None, headers=headers)
    else:
        body_format = BodyFormat(config.body_format)
        template = config.body_template or DEFAULT_SMS_TEMPLATES[body_format]
        if body_format == BodyFormat.JSON:
            data = _fill(template, message.address, text, _json_escape)
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        else:
            data = _fill(template, message.address, text, urllib.parse.quote_plus)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        answer = _http(config, config.gateway_url, method="POST", data=data.encode("utf-8"), headers=headers)
    if config.success_text and config.success_text not in answer:
        raise SendFailed(f"短信网关未返回成功标志：{answer[:RESPONSE_NOTE_CHARS]}")
    return answer[:RESPONSE_NOTE_CHARS] or "HTTP 2xx"


Sender = Callable[[ChannelConfig, OutgoingMessage], str]
SENDERS: dict[str, Sender] = {
    DeliveryChannel.EMAIL: send_email,
    DeliveryChannel.WECOM: send_wecom,
    DeliveryChannel.SMS: send_sms,
}

"""Text shapes shared by products: T-Lib (server style), Platform SDK prints, SIP messages.

Every function registers the sensitive values it prints with an ``Acc`` so the ledger knows
exactly what was planted where; technical IDs go to the keep list.
"""

from __future__ import annotations

import hashlib

from .blocks import STAMP_RECORD, STAMP_TLIB, Acc
from .fakes import Call

SENSITIVE_KEYS = ("AccountNumber", "CardNumber", "CustomerName", "EmailAddress", "SSN")


def attached_data(acc: Acc, call: Call) -> list[tuple[str, str]]:
    """The call's user data: sensitive keys (or **** when the site hides them) + technical ones."""
    if call.hidden:
        sensitive = [(key, "****") for key in SENSITIVE_KEYS]
    else:
        sensitive = [
            ("AccountNumber", acc.s("account", call.account)),
            ("CardNumber", acc.s("card", call.card)),
            ("CustomerName", acc.s("customer_name", call.customer_name)),
            ("EmailAddress", acc.s("email", call.email)),
            ("SSN", acc.s("ssn", call.ssn)),
        ]
    technical = [("IVR_Lang", "EN"), ("RTargetTypeSelected", "0"), ("RStrategyName", "Main_Inbound"),
                 ("GSW_CALL_RESULT", "33")]
    return sensitive[:3] + technical[:2] + sensitive[3:] + technical[2:]


# ------------------------------------------------------------------ T-Lib, server style
def tlib_userdata(pairs: list[tuple[str, str]], name: str = "AttributeUserData") -> str:
    size = 8 + sum(len(k) + len(v) + 8 for k, v in pairs)
    lines = [f"\t{name}\t[{size}] 00 {len(pairs):02x} 00 00..\n"]
    lines += [f"\t\t'{k}'\t'{v}'\n" for k, v in pairs]
    return "".join(lines)


def tlib_call_attrs(acc: Acc, call: Call, this_dn: str, seq: int, with_userdata: bool = True,
                    other_dn: str | None = None) -> str:
    """Attributes of a call event as T-Server/SIP Server prints them."""
    acc.k("connid", call.connid)
    acc.k("calluuid", call.calluuid)
    acc.k("agent_dn", this_dn)
    lines = [
        f"\tAttributeEventSequenceNumber\t{seq:016x}\n",
        f"\tAttributeTimeinuSecs\t{(seq * 7919) % 1000000}\n",
    ]
    if with_userdata:
        lines.append(tlib_userdata(attached_data(acc, call)))
    lines += [
        f"\tAttributeCallUUID\t'{call.calluuid}'\n",
        f"\tAttributeConnID\t{call.connid}\n",
        f"\tAttributeANI\t'{acc.s('phone', call.ani)}'\n",
        f"\tAttributeDNIS\t'{acc.s('phone', call.dnis)}'\n",
        f"\tAttributeOtherDN\t'{acc.s('phone', other_dn or call.ani)}'\n",
        f"\tAttributeThisDN\t'{this_dn}'\n",
        "\tAttributeThisDNRole\t2\n",
        "\tAttributeCallType\t2\n",
    ]
    return "".join(lines)


def tlib_event(acc: Acc, call: Call, event: str, this_dn: str, seq: int, version: str,
               client: str, with_userdata: bool = True) -> list[tuple[int, str]]:
    """``@ts [0] ver distribute_event: message EventX`` + attrs, then the ``Trc 04542 ... sent to`` line."""
    head = f" [0] {version} distribute_event: message {event}\n"
    body = tlib_call_attrs(acc, call, this_dn, seq, with_userdata)
    return [(STAMP_TLIB, head + body), (STAMP_RECORD, f" Trc 04542 {event} sent to {client}\n")]


def tlib_request(acc: Acc, call: Call, request: str, this_dn: str, client: str, ref: int,
                 digits: bool = False) -> str:
    """``Trc 04541 RequestX received from ...`` + ``message RequestX`` + attrs."""
    acc.k("agent_dn", this_dn)
    acc.k("connid", call.connid)
    lines = [f" Trc 04541 {request} received from {client}\n", f"message {request}\n",
             f"\tAttributeThisDN\t'{this_dn}'\n", f"\tAttributeConnID\t{call.connid}\n"]
    if request in ("RequestMakeCall", "RequestInitiateTransfer", "RequestSingleStepTransfer"):
        lines.append(f"\tAttributeOtherDN\t'{acc.s('phone', call.ani)}'\n")
    if digits:
        if call.hidden:
            lines.append(f"\tAttributeCollectedDigits\t**** (length:{len(call.digits)})\n")
        else:
            lines.append(f"\tAttributeCollectedDigits\t'{acc.s('digits', call.digits)}'\n")
    lines.append(f"\tAttributeReferenceID\t{ref}\n")
    return "".join(lines)


# ------------------------------------------------------------------ Platform SDK style
def psdk_event(acc: Acc, call: Call, event: str, this_dn: str, with_userdata: bool = True) -> str:
    """Continuation lines of a PSDK-printed event (``AttributeANI [str] = "..."``)."""
    acc.k("connid", call.connid)
    acc.k("calluuid", call.calluuid)
    acc.k("agent_dn", this_dn)
    lines = [f"'{event}' ('{64 + len(event) % 7}')\n", "message attributes:\n",
             f"\tAttributeCallUUID [str] = \"{call.calluuid}\"\n",
             f"\tAttributeConnID [long] = {call.connid}\n",
             f"\tAttributeANI [str] = \"{acc.s('phone', call.ani)}\"\n",
             f"\tAttributeDNIS [str] = \"{acc.s('phone', call.dnis)}\"\n",
             f"\tAttributeThisDN [str] = \"{this_dn}\"\n",
             f"\tAttributeOtherDN [str] = \"{acc.s('phone', call.ani)}\"\n"]
    if with_userdata:
        lines.append("\tAttributeUserData [bstr] = KVList: \n")
        lines += [f"\t\t'{k}' [str] = \"{v}\"\n" for k, v in attached_data(acc, call)]
    lines.append("\tAttributeCallType [int] = 2 [Inbound]\n")
    return "".join(lines)


# ------------------------------------------------------------------ SIP
def _sdp(ip: str, session: int, eol: str) -> str:
    return eol.join(["v=0", f"o=- {session} 1 IN IP4 {ip}", "s=-", f"c=IN IP4 {ip}", "t=0 0",
                     "m=audio 31000 RTP/AVP 0 8 101", "a=rtpmap:101 telephone-event/8000", ""])


def sip_message(lines: list[str], body: str, content_type: str, eol: str) -> str:
    if body:
        lines = lines + [f"Content-Type: {content_type}", f"Content-Length: {len(body.encode())}"]
    else:
        lines = lines + ["Content-Length: 0"]
    return eol.join(lines) + eol + eol + body


def sip_dump(acc: Acc, message: str, direction: str, peer: str, proto: str = "UDP") -> str:
    """Text after the stamp: ``: SIPTR: Received [0,UDP] N bytes from ip:port <<<<<`` + message."""
    size = len(message.encode())
    acc.k("byte_count", str(size))
    acc.k("ip", peer.split(":")[0])
    if direction == "in":
        head = f": SIPTR: Received [0,{proto}] {size} bytes from {peer} <<<<<\n"
    else:
        head = f": Sending  [0,{proto}] {size} bytes to {peer} >>>>>\n"
    tail = "" if message.endswith("\n") else "\n"
    return head + message + tail


def sip_call_messages(acc: Acc, call: Call, sips_ip: str, agent_ip: str) -> list[tuple[str, str, str]]:
    """(direction, peer, message) for the SIP legs of one call, in every identity shape."""
    ani, dnis, name = call.ani, call.dnis, call.customer_name
    e164 = "+1" + ani
    acc.k("sip_call_id", call.sip_call_id)
    acc.k("ip", call.caller_ip)
    acc.k("ip", sips_ip)
    crlf = "\r\n" if call.index % 2 else "\n"
    tag = call.connid[-8:]
    for value in (ani, dnis):
        acc.s("phone", value)
    acc.s("phone", e164)
    acc.s("display_name", name)
    invite = sip_message([
        f"INVITE sip:{dnis}@{sips_ip}:5060 SIP/2.0",
        f"Via: SIP/2.0/UDP {call.caller_ip}:5060;branch=z9hG4bK{call.connid[4:]}",
        f"From: \"{name}\" <sip:{ani}@{call.caller_ip}>;tag=c{tag}",
        f"To: <sip:{dnis}@{sips_ip}>",
        f"Call-ID: {call.sip_call_id}",
        "CSeq: 101 INVITE",
        f"Contact: <sip:{ani}@{call.caller_ip}:5060>",
        f"P-Asserted-Identity: \"{name}\" <sip:{e164}@{call.carrier_host}>",
        f"Remote-Party-ID: \"{name}\" <sip:{ani}@{call.caller_ip}>;party=calling;screen=yes",
        f"Diversion: <tel:{e164}>;reason=unconditional",
        f"History-Info: <sip:{dnis}@{call.carrier_host}>;index=1",
        "Max-Forwards: 69",
    ], _sdp(call.caller_ip, 1709648104 + call.index, crlf), "application/sdp", crlf)
    ok = sip_message([
        "SIP/2.0 200 OK",
        f"Via: SIP/2.0/UDP {call.caller_ip}:5060;branch=z9hG4bK{call.connid[4:]}",
        f"From: \"{name}\" <sip:{ani}@{call.caller_ip}>;tag=c{tag}",
        f"To: <sip:{dnis}@{sips_ip}>;tag=s{tag}",
        f"Call-ID: {call.sip_call_id}",
        "CSeq: 101 INVITE",
        f"Contact: <sip:{dnis}@{sips_ip}:5060>",
        f"X-Genesys-CallUUID: {call.calluuid}",
    ], _sdp(sips_ip, 2709648104 + call.index, crlf), "application/sdp", crlf)
    to_agent = sip_message([
        f"INVITE sip:{call.agent_dn}@{agent_ip}:5060 SIP/2.0",
        f"Via: SIP/2.0/UDP {sips_ip}:5060;branch=z9hG4bKa{call.connid[5:]}",
        f"f: \"{name}\" <sip:{ani}@{sips_ip}>;tag=a{tag}",
        f"t: <sip:{call.agent_dn}@{agent_ip}>",
        f"i: a{call.sip_call_id}",
        "CSeq: 1 INVITE",
        f"m: <sip:{ani}@{sips_ip}:5060>",
        f"X-Genesys-CallUUID: {call.calluuid}",
    ], "", "", "\n")
    refer = sip_message([
        f"REFER sip:{dnis}@{call.caller_ip}:5060 SIP/2.0",
        f"Via: SIP/2.0/UDP {sips_ip}:5060;branch=z9hG4bKr{call.connid[5:]}",
        f"From: <sip:{dnis}@{sips_ip}>;tag=s{tag}",
        f"To: \"{name}\" <sip:{ani}@{call.caller_ip}>;tag=c{tag}",
        f"Call-ID: {call.sip_call_id}",
        "CSeq: 102 REFER",
        f"Refer-To: <tel:{e164}>",
        f"Referred-By: <sip:{dnis}@{sips_ip}>",
    ], "", "", crlf)
    msml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<msml version=\"1.1\">\n"
            f"<dialogstart target=\"conn:{call.connid}\" type=\"application/moml+xml\">\n"
            f"<record dest=\"file://rec/{call.calluuid}.mp3\" format=\"audio/mp3\"/>\n"
            f"<gvp:params><gvp:param name=\"ani\">{ani}</gvp:param>"
            f"<gvp:param name=\"dnis\">{dnis}</gvp:param>"
            f"<gvp:param name=\"agentId\">{acc.s('email', call.agent_email)}</gvp:param>"
            f"<gvp:param name=\"connId\">{call.connid}</gvp:param>"
            f"<gvp:param name=\"callUuid\">{call.calluuid}</gvp:param></gvp:params>\n"
            "</dialogstart>\n</msml>\n")
    info = sip_message([
        f"INFO sip:msml@192.0.2.30:5070 SIP/2.0",
        f"Via: SIP/2.0/UDP {sips_ip}:5060;branch=z9hG4bKm{call.connid[5:]}",
        f"From: <sip:{dnis}@{sips_ip}>;tag=s{tag}",
        "To: <sip:msml@192.0.2.30>;tag=gvp01",
        f"Call-ID: m{call.sip_call_id}",
        "CSeq: 3 INFO",
    ], msml, "application/vnd.radisys.msml+xml", "\n")
    user = acc.s("sip_auth", f"agent{call.agent_dn}x{call.index}")
    response = acc.s("sip_auth", hashlib.md5(call.calluuid.encode()).hexdigest())
    register = sip_message([
        f"REGISTER sip:{sips_ip}:5060 SIP/2.0",
        f"Via: SIP/2.0/UDP {agent_ip}:5060;branch=z9hG4bKg{call.connid[6:]}",
        f"From: <sip:{call.agent_dn}@{sips_ip}>;tag=r{tag}",
        f"To: <sip:{call.agent_dn}@{sips_ip}>",
        f"Call-ID: r{call.sip_call_id}",
        "CSeq: 2 REGISTER",
        f"Authorization: Digest username=\"{user}\", realm=\"genesys\", nonce=\"{call.connid}\", "
        f"uri=\"sip:{sips_ip}\", response=\"{response}\"",
        "Expires: 3600",
    ], "", "", crlf)
    return [("in", f"{call.caller_ip}:5060", invite), ("out", f"{call.caller_ip}:5060", ok),
            ("out", f"{agent_ip}:5060", to_agent), ("out", f"{call.caller_ip}:5060", refer),
            ("out", "192.0.2.30:5070", info), ("in", f"{agent_ip}:5060", register)]

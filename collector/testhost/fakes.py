"""Deterministic fake values: phone numbers, names, cards, IDs, addresses, tokens.

Every value is safe to publish: 555-style numbers, RFC 5737 addresses (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24), example.com/example.net domains, Luhn-valid test-card-shaped
numbers and SSNs with an area number (9xx) that is never issued.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass

FIRST_NAMES = ("Jane", "John", "Maria", "Ahmed", "Li", "Olga", "Pedro", "Aiko", "Sam", "Fatima",
               "Noah", "Emma", "Ivan", "Chen", "Lucia", "Omar", "Grace", "Tomas", "Nia", "Yuki")
LAST_NAMES = ("Example", "Sample", "Testperson", "Demo", "Placeholder", "Fakename", "Mock",
              "Specimen", "Dummy", "Instance", "Pattern", "Template", "Model", "Trial")
_ALNUM_UPPER = string.ascii_uppercase + string.digits
_B64URL = string.ascii_letters + string.digits + "-_"


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to ``prefix``."""
    total = 0
    for index, char in enumerate(reversed(prefix)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return prefix + str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = [c for c in number if c.isdigit()]
    return len(digits) >= 2 and luhn_complete("".join(digits[:-1])) == "".join(digits)


class Fakes:
    """A seeded source of fake values; the same seed gives the same sequence."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used_phones: set[str] = set()

    # ------------------------------------------------------------ people
    def first_last(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def customer_name(self) -> str:
        first, last = self.first_last()
        return f"{first} {last}"

    def email(self, name: str | None = None) -> str:
        first, last = name.split(" ", 1) if name else self.first_last()
        tail = self.rng.randint(1, 999)
        domain = self.rng.choice(("example.com", "example.net", "mail.example.org"))
        return f"{first.lower()}.{last.lower()}{tail}@{domain}"

    def phone(self) -> str:
        """A unique caller number like 5555550142 (never repeats within one Fakes)."""
        while True:
            value = f"555{self.rng.randint(5550000, 5559999)}"
            if value not in self._used_phones:
                self._used_phones.add(value)
                return value

    def dnis(self) -> str:
        return f"800555{self.rng.randint(100, 199):04d}"

    def account_number(self) -> str:
        return str(self.rng.randint(40_000_000, 49_999_999_99))

    def card_number(self, style: int = 0) -> str:
        digits = luhn_complete("4" + "".join(str(self.rng.randint(0, 9)) for _ in range(14)))
        if style == 1:
            return " ".join(digits[i:i + 4] for i in range(0, 16, 4))
        if style == 2:
            return "-".join(digits[i:i + 4] for i in range(0, 16, 4))
        return digits

    def ssn(self) -> str:
        return f"9{self.rng.randint(10, 99)}-{self.rng.randint(10, 99)}-{self.rng.randint(1000, 9999)}"

    def pin_digits(self) -> str:
        return "".join(str(self.rng.randint(0, 9)) for _ in range(self.rng.choice((4, 6, 8))))

    # ------------------------------------------------------------ technical (kept)
    def connid(self) -> str:
        return "00" + "".join(self.rng.choice("0123456789abcdef") for _ in range(14))

    def calluuid(self) -> str:
        return "".join(self.rng.choice(_ALNUM_UPPER) for _ in range(32))

    def agent_dn(self) -> str:
        return str(self.rng.randint(7100, 7399))

    def ip(self) -> str:
        net = self.rng.choice(("192.0.2", "198.51.100", "203.0.113"))
        return f"{net}.{self.rng.randint(2, 250)}"

    def sip_call_id(self, host_ip: str) -> str:
        h = "".join(self.rng.choice("0123456789abcdef") for _ in range(20))
        return f"{h[:8]}-{h[8:12]}-{h[12:20]}@{host_ip}"

    def hex_id(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def scxml_session(self) -> str:
        return "".join(self.rng.choice(_ALNUM_UPPER) for _ in range(32))

    # ------------------------------------------------------------ credentials
    def password(self) -> str:
        alphabet = string.ascii_letters + string.digits + "!#%+"
        return "Pw" + "".join(self.rng.choice(alphabet) for _ in range(12))

    def jwt(self, subject: str) -> str:
        def part(raw: str) -> str:
            return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        sig = "".join(self.rng.choice(_B64URL) for _ in range(43))
        exp = self.rng.randint(1_700_000_000, 1_900_000_000)
        header = part(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")))
        payload = part(json.dumps({"sub": subject, "exp": exp}, separators=(",", ":")))
        return f"{header}.{payload}.{sig}"

    def aws_access_key(self) -> str:
        return "AKIA" + "".join(self.rng.choice(string.ascii_uppercase + "234567") for _ in range(16))

    def aws_secret_key(self) -> str:
        return "".join(self.rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))

    def basic_auth(self, user: str, password: str) -> str:
        return base64.b64encode(f"{user}:{password}".encode()).decode()

    def pem_body_lines(self, lines: int = 4) -> list[str]:
        raw = bytes(self.rng.getrandbits(8) for _ in range(48 * lines))
        text = base64.b64encode(raw).decode()
        return [text[i:i + 64] for i in range(0, len(text), 64)]


@dataclass(frozen=True)
class Call:
    """One customer call, seen by several servers with the same IDs and the same caller."""

    index: int
    connid: str
    calluuid: str
    ani: str
    dnis: str
    agent_dn: str
    route_point: str
    customer_name: str
    email: str
    account: str
    card: str
    ssn: str
    digits: str
    sip_call_id: str
    caller_ip: str
    carrier_host: str
    agent_email: str
    session_id: str             # ORS SCXML session
    hidden: bool                # the site already masks attached data (****) for this call


def make_calls(fakes: Fakes, count: int) -> list[Call]:
    calls = []
    for index in range(count):
        name = fakes.customer_name()
        caller_ip = fakes.ip()
        calls.append(Call(
            index=index,
            connid=fakes.connid(),
            calluuid=fakes.calluuid(),
            ani=fakes.phone(),
            dnis=fakes.dnis(),
            agent_dn=fakes.agent_dn(),
            route_point=str(fakes.rng.choice((9000, 9001, 9010))),
            customer_name=name,
            email=fakes.email(name),
            account=fakes.account_number(),
            card=fakes.card_number(index % 3),
            ssn=fakes.ssn(),
            digits=fakes.pin_digits(),
            sip_call_id=fakes.sip_call_id(caller_ip),
            caller_ip=caller_ip,
            carrier_host=fakes.rng.choice(("carrier.example.net", "sbc1.example.net")),
            agent_email=fakes.email(),
            session_id=fakes.scxml_session(),
            hidden=index % 11 == 5,
        ))
    return calls

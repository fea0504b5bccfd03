"""The office's key, and the checksum that ties a template to its unit.

A template's very hidden sheet says which unit, period and plan it is for;
anyone who finds the sheet can change it. So every template also carries a
checksum: HMAC-SHA256, under a secret only the office's PC knows, over the
plan fingerprint, the unit code, the period and the template version. A
return whose hidden unit was edited to another unit's no longer matches it.

The secret is created (32 random bytes) the first time templates are built
and kept in the user's config folder (`secret_path`). A return can only be
checked on a PC that holds the secret its template was built with: the
template records which key it was signed with (`key_id`, a digest of the
secret, not the secret). When the validating PC has no secret, or another
one (templates built on another PC), the checksum cannot be checked: the
returns are still read, identified as before and checked against their
visible 填报说明 sheet, and the run says once, as a notice, that the
checksums were not checked and how to copy the secret over. Only a checksum
that can be checked and is wrong is an error.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

from toolkit.errors import ToolkitError

SECRET_ENV = "TOOLKIT_SECRET_FILE"
_SECRET_BYTES = 32


def secret_path() -> Path:
    """Where this office's secret is kept: TOOLKIT_SECRET_FILE, else the
    user's config folder (%APPDATA%\\toolkit on Windows, ~/.config/toolkit
    or $XDG_CONFIG_HOME/toolkit elsewhere). The one place that decides it."""
    if os.environ.get(SECRET_ENV):
        return Path(os.environ[SECRET_ENV])
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"]) / "toolkit"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "toolkit"
    return base / "secret.key"


def office_secret(*, create: bool = False) -> bytes | None:
    """The office's secret; with create=True, made on first use (building
    templates). None when there is none and create is False."""
    path = secret_path()
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise ToolkitError(f"无法读取模板签名密钥文件“{path}”：{exc.strerror or exc}",
                           hint=f"检查该文件的权限；或用环境变量 {SECRET_ENV} 指定密钥文件的位置") from None
    if data:
        try:
            secret = bytes.fromhex(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            secret = b""
        if len(secret) < 16:
            raise ToolkitError(f"模板签名密钥文件“{path}”已损坏",
                               hint="从生成模板的电脑上重新复制该文件；如已无法找回，删除它后重新生成并下发模板")
        return secret
    if not create:
        return None
    secret = secrets.token_bytes(_SECRET_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another run made it just now
        return office_secret(create=False)
    except OSError as exc:
        raise ToolkitError(f"无法创建模板签名密钥文件“{path}”：{exc.strerror or exc}",
                           hint=f"检查文件夹权限；或用环境变量 {SECRET_ENV} 指定一个可写的位置") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret.hex() + "\n")
    return secret


def key_id(secret: bytes) -> str:
    """Which secret signed a template (a digest: it tells nothing of the secret)."""
    return hashlib.sha256(b"toolkit key id\x00" + secret).hexdigest()[:16]


def checksum(secret: bytes, fingerprint: str, unit_code: str, period: str, version) -> str:
    """HMAC-SHA256 of what identifies a return."""
    message = "\x1f".join(("toolkit-return", fingerprint, unit_code, period, str(version)))
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


# What a return's checksum says (ReturnData.identity_check).
VERIFIED = "verified"
NO_SECRET = "no-secret"  # this PC has no secret: not checked
OTHER_KEY = "other-key"  # signed with another PC's secret: not checked


class Verifier:
    """Checks returns' checksums with this PC's secret, read once."""

    def __init__(self):
        self.secret = office_secret(create=False)
        self.key = key_id(self.secret) if self.secret else None

    def check(self, ident, signed_key: str, signed: str) -> str | None:
        """VERIFIED, NO_SECRET, OTHER_KEY, or None: the checksum is wrong or missing."""
        if not signed or not signed_key:
            return None
        if self.secret is None:
            return NO_SECRET
        if signed_key != self.key:
            return OTHER_KEY
        expected = checksum(self.secret, ident.plan_fingerprint or "", ident.unit_code, ident.period,
                            ident.template_version)
        return VERIFIED if hmac.compare_digest(expected, signed) else None


def identity_notices(returns) -> list[str]:
    """What a run says once about checksums it could not check (in Chinese)."""
    unchecked = {}
    for ret in returns:
        state = getattr(ret, "identity_check", None)
        if state in (NO_SECRET, OTHER_KEY):
            unchecked.setdefault(state, []).append(ret)
    notices = []
    if unchecked.get(NO_SECRET):
        notices.append(f"本机没有模板签名密钥，{len(unchecked[NO_SECRET])} 份报表的身份校验码未核验（报表照常读取，"
                       f"单位仍按“填报说明”页核对）。如模板是在另一台电脑上生成的，请把那台电脑上的密钥文件复制到本机的 "
                       f"{secret_path()}（或用环境变量 {SECRET_ENV} 指定其位置）。")
    if unchecked.get(OTHER_KEY):
        notices.append(f"{len(unchecked[OTHER_KEY])} 份报表的模板是用另一台电脑的签名密钥生成的，身份校验码未核验（报表照常读取，"
                       f"单位仍按“填报说明”页核对）。如需核验，请把生成模板那台电脑上的密钥文件复制到本机的 {secret_path()}。")
    return notices

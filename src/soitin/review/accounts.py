"""Accounts and units: users with argon2 passwords, the unit tree."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Role, Unit, User
from soitin.errors import ConflictError, InvalidInputError, NotFoundError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
# Sign-in names are typed on any keyboard and appear in logs and URLs: ASCII letters, digits,
# dot, dash and underscore, no spaces or diacritics ("anh.ht", "lead_qt").
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


#: Letters and digits a person reads without doubt: no 0/O, 1/l/I, and no "-" or "_" (a
#: password printed at the end of a line looked hyphenated).
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # noqa: S105
PASSWORD_LENGTH = 16  # about 93 bits


def generate_password() -> str:
    """A random password a person can read and type: 16 unambiguous letters and digits."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def get_unit(session: Session, code: str) -> Unit:
    """The unit with this code."""
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFoundError(key="unit.no_code", code=code)
    return unit


#: A unit code: up to 64 letters, digits, `.`, `-` or `_`, starting with a letter or digit.
UNIT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def valid_unit_code(code: str) -> bool:
    """Whether `code` is a unit code that is safe as a folder name (`UNIT_CODE`, no `..`)."""
    return UNIT_CODE.fullmatch(code) is not None and ".." not in code


def add_unit(
    session: Session,
    code: str,
    name: str,
    *,
    parent_code: str | None = None,
    place_codes: Sequence[str] = (),
) -> Unit:
    """Create a unit under `parent_code` (or a root unit).

    The code names the unit's report folder, so it is letters, digits, `.`, `-` and `_`
    (`UNIT_CODE`), never a path.
    """
    code = code.strip()
    if not code or not name.strip():
        raise InvalidInputError(key="unit.code_and_name")
    if not valid_unit_code(code):
        raise InvalidInputError(key="unit.code_form", code=code)
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise ConflictError(key="unit.code_taken", code=code)
    parent = get_unit(session, parent_code) if parent_code else None
    _check_within(parent, place_codes)
    unit = Unit(code=code, name=name.strip(), parent=parent, place_codes=list(place_codes))
    session.add(unit)
    session.flush()
    return unit


def list_units(session: Session) -> list[Unit]:
    """All units, ordered by code."""
    return list(session.scalars(select(Unit).order_by(Unit.code)))


def descendant_unit_ids(session: Session, unit_id: int) -> set[int]:
    """`unit_id` and every unit below it."""
    rows = session.execute(select(Unit.id, Unit.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for uid, parent in rows:
        children.setdefault(parent, []).append(uid)
    out, stack = set(), [unit_id]
    while stack:
        uid = stack.pop()
        if uid not in out:
            out.add(uid)
            stack.extend(children.get(uid, []))
    return out


def add_user(
    session: Session,
    username: str,
    *,
    role: str,
    unit_code: str,
    password: str,
    display_name: str = "",
    password_hash: str | None = None,
) -> User:
    """Create a user; the password is stored as an argon2 hash only.

    `password_hash` (an argon2 hash made earlier) skips hashing, for bulk set-up.
    """
    username = username.strip()
    if not username:
        raise InvalidInputError(key="user.needs_username")
    if not USERNAME_PATTERN.match(username):
        raise InvalidInputError(key="user.bad_username", username=username)
    try:
        role = Role(role).value
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInputError(key="user.unknown_role", value=role, known=roles) from exc
    if password_hash is None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(key="user.short_password", length=MIN_PASSWORD_LENGTH)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(key="user.username_taken", username=username)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        unit=get_unit(session, unit_code),
        password_hash=password_hash or hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    """The user with this username."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(key="user.no_username", username=username)
    return user


def list_users(session: Session) -> list[User]:
    """All users, ordered by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def set_active(session: Session, username: str, active: bool) -> User:
    """Enable or disable a user (disabled users cannot sign in)."""
    user = get_user(session, username)
    user.is_active = active
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(key="user.short_password", length=MIN_PASSWORD_LENGTH)
    user.password_hash = hash_password(password)
    session.flush()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = hash_password("soitin-dummy-password")


def update_user(
    session: Session,
    user: User,
    *,
    display_name: str | None = None,
    role: str | None = None,
    unit_id: int | None = None,
    is_active: bool | None = None,
    actor: User | None = None,
) -> dict[str, object]:
    """Change a user's name, role, unit or state; returns what changed (for the audit).

    Nobody may demote, move or disable themselves (an admin could lock everyone out).
    """
    changes: dict[str, object] = {}
    if display_name is not None and display_name.strip() != user.display_name:
        user.display_name = display_name.strip()[:255] or user.username
        changes["display_name"] = user.display_name
    if role is not None and role != user.role:
        try:
            role = Role(role).value
        except ValueError as exc:
            raise InvalidInputError(key="user.unknown_role_short", value=role) from exc
        if actor is not None and actor.id == user.id:
            raise ConflictError(key="user.own_role")
        changes["role"] = (user.role, role)
        user.role = role
    if unit_id is not None and unit_id != user.unit_id:
        if session.get(Unit, unit_id) is None:
            raise NotFoundError(key="unit.no_id", unit_id=unit_id)
        if actor is not None and actor.id == user.id:
            raise ConflictError(key="user.own_unit")
        changes["unit_id"] = (user.unit_id, unit_id)
        user.unit_id = unit_id
    if is_active is not None and is_active != user.is_active:
        if actor is not None and actor.id == user.id:
            raise ConflictError(key="user.own_disable")
        changes["is_active"] = is_active
        user.is_active = is_active
    session.flush()
    return changes


def reset_password(session: Session, user: User) -> str:
    """Give the user a new random password (returned once, never stored in clear)."""
    secret = generate_password()
    set_password(session, user, secret)
    user.failed_logins = 0
    user.locked_until = None
    return secret


def update_unit(
    session: Session,
    unit: Unit,
    *,
    name: str | None = None,
    place_codes: Sequence[str] | None = None,
    actor: User | None = None,
) -> dict[str, object]:
    """Rename a unit or change the place codes it covers; returns what changed.

    A unit's places stay inside its parent's area (`_check_within`), and nobody changes the
    places of their own unit unless it is a top unit: stories are routed to units by place,
    so that would pull other units' cases into one's own queue.
    """
    changes: dict[str, object] = {}
    if name is not None and name.strip() and name.strip() != unit.name:
        unit.name = name.strip()[:255]
        changes["name"] = unit.name
    if place_codes is not None:
        codes = parse_place_codes(",".join(place_codes))
        if codes != list(unit.place_codes):
            if actor is not None and actor.unit_id == unit.id and unit.parent_id is not None:
                raise ConflictError(key="unit.own_places")
            _check_within(unit.parent, codes)
            changes["place_codes"] = codes
            unit.place_codes = codes
    session.flush()
    return changes


def parse_place_codes(text: str) -> list[str]:
    """'44, 18880' → ['44', '18880']: codes of 2025 provinces (2 digits) or communes and wards
    (5 digits) of the gazetteer we ship; any other code is refused."""
    codes: list[str] = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or len(part) > 6:
            raise InvalidInputError(key="unit.place_digits", code=part)
        if not _is_2025_place(part):
            raise InvalidInputError(key="unit.place_unknown", code=part)
        if part not in codes:
            codes.append(part)
    return codes


def _is_2025_place(code: str) -> bool:
    from soitin.places.gazetteer import get_gazetteer  # built once per process, on first use

    gazetteer = get_gazetteer()
    return code in gazetteer.provinces or code in gazetteer.wards


def _check_within(parent: Unit | None, codes: Sequence[str]) -> None:
    """Refuse place codes outside the area of `parent` (its own codes, or the nearest
    ancestor's that has some; a unit with none above it may cover anything). A province
    covers its communes and wards."""
    area: list[str] = []
    while parent is not None and not area:
        area = list(parent.place_codes or ())
        parent = parent.parent
    if not area:
        return
    allowed = set(area)
    for code in codes:
        if code not in allowed and _province_of(code) not in allowed:
            raise InvalidInputError(key="unit.place_outside", code=code, area=", ".join(area))


def _province_of(code: str) -> str | None:
    from soitin.places.gazetteer import get_gazetteer

    gazetteer = get_gazetteer()
    ward = gazetteer.wards.get(code) or gazetteer.legacy_wards.get(code)
    return ward.province_code if ward is not None else None

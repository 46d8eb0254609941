"""Who may change the catalogue: viewers read, editors edit.

Three modes, picked from ``.streamlit/secrets.toml`` (see ``secrets.toml.example``):

- **sign-in**: with an ``[auth]`` section and ``[cxprio] editors = ["ana@example.org", ...]``,
  an editor signs in with ``st.login`` and must be on the list; everyone else reads.
- **passcode**: with ``[cxprio] editor_passcode = "..."``, an editor types the passcode
  and their name (for the audit trail) once; everyone else reads.
- **single user**: with neither, whoever runs the board is its editor (a laptop in a
  workshop); they give their name once.

Once given, an editor stays one for the browser session, on every page, in a reloaded
or a new tab, until *Sign out* (or until the browser is closed, or 12 hours): the
session keeps a signed pass (:func:`pass_for`), and the browser keeps it too, in a
cookie that lives as long as the browser session does. A pass holds the name and when
it ends, signed with the passcode (HMAC-SHA256), so nobody can make one without the
passcode, and a new passcode ends every pass. Each run checks the pass again. In
single-user mode the key is the server's own, made when it starts. Nothing in the page
address makes anyone an editor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from .show import plain

PASSCODE_KEY = "editor_passcode"
"""The passcode field's widget key."""
NAME_KEY = "editor_name"
"""The name field's widget key."""
SIGN_IN_KEY = "editor_sign_in"
"""The sign-in form's submit button's key."""
COOKIE = "cxprio_editor"
"""The browser's copy of the editor's pass."""
PASS_HOURS = 12
"""How long a pass lasts at most: a working day, so a laptop left signed in does not
stay an editor's for ever."""
_KEPT = "editor_kept"
"""Session key, never a widget's: the editor's pass (:class:`_Kept`)."""
_SIGNED_OUT = "editor_signed_out"
"""Session key: signed out here, so the cookie this session started with is not used."""
_COOKIE_DUE = "editor_cookie_due"
"""Session key: the cookie to write (a pass) or to clear (empty) on the next page drawn."""
_SERVER_KEY = secrets.token_bytes(32)
"""The single-user mode's signing key: this server's, until it restarts."""


@dataclass(frozen=True)
class Editor:
    """Someone allowed to edit, and the name the audit trail records."""

    name: str


@dataclass(frozen=True)
class _Kept:
    name: str
    token: str


def settings() -> dict[str, Any]:
    """The ``[cxprio]`` section of the secrets (empty without one)."""
    try:
        section = st.secrets.get("cxprio", {})
    except FileNotFoundError:  # no secrets file at all
        return {}
    return dict(section) if section else {}


def _has_auth() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def mode() -> str:
    """``sign-in``, ``passcode`` or ``single user`` (see the module's text)."""
    configured = settings()
    if _has_auth() and configured.get("editors"):
        return "sign-in"
    if configured.get("editor_passcode"):
        return "passcode"
    return "single user"


def _passcode_right(typed: str) -> bool:
    expected = str(settings().get("editor_passcode", ""))
    return bool(expected) and hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8"))


def _key() -> bytes:
    """What passes are signed with: the passcode in passcode mode, else the server's key."""
    passcode = str(settings().get("editor_passcode") or "")
    return hashlib.sha256(b"cxprio-editor:" + passcode.encode("utf-8")).digest() if passcode else _SERVER_KEY


def pass_for(name: str, key: bytes, *, now: float | None = None, hours: float = PASS_HOURS) -> str:
    """A signed pass for the editor ``name``, ending ``hours`` from ``now``."""
    body = base64.urlsafe_b64encode(
        json.dumps({"name": name, "ends": int((now or time.time()) + hours * 3600)}).encode("utf-8")
    ).decode("ascii")
    return f"{body}.{hmac.new(key, body.encode('ascii'), hashlib.sha256).hexdigest()}"


def name_on(token: str, key: bytes, *, now: float | None = None) -> str | None:
    """The name a pass was made for, when ``key`` signed it and it has not ended; else ``None``."""
    body, _, signature = token.rpartition(".")
    expected = hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(signature.encode("utf-8"), expected.encode("ascii")):
        return None
    try:
        held = json.loads(base64.urlsafe_b64decode(body.encode("ascii")))
        name, ends = str(held["name"]), float(held["ends"])
    except (ValueError, KeyError, TypeError):
        return None
    return name if name and (now or time.time()) < ends else None


def current() -> Editor | None:
    """The editor using this session, or ``None``, drawing nothing: a signed-in account
    on the editors list, or a valid pass (:func:`pass_for`), kept in the session or
    brought by the browser's cookie."""
    how = mode()
    if how == "sign-in":
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "")
        allowed = {str(e).strip().lower() for e in settings().get("editors", [])}
        return Editor(str(st.user.get("name") or email)) if email.lower() in allowed else None
    kept = st.session_state.get(_KEPT)
    token = kept.token if isinstance(kept, _Kept) else None
    if token is None and not st.session_state.get(_SIGNED_OUT):
        token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:
        return None
    name = name_on(token, _key())
    if name is None:  # a new passcode, an ended pass, or a forgery: sign in again
        st.session_state.pop(_KEPT, None)
        return None
    st.session_state[_KEPT] = _Kept(name, token)
    return Editor(name)


def sign_out() -> None:
    """Forget the pass here and in the browser (a callback: the next run asks again)."""
    st.session_state.pop(_KEPT, None)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_DUE] = ""


def editor() -> Editor | None:
    """The editor using this session, or ``None`` for a viewer, after drawing what the
    mode needs: a sign-in button, or the form for the passcode and name (once per
    browser session), or the form for the name."""
    found = current()
    if found is not None:
        return found
    how = mode()
    if how == "sign-in":
        if not st.user.is_logged_in:
            st.info("Sign in to edit; everyone can read the board.", icon=":material/lock:")
            st.button("Sign in", on_click=st.login, icon=":material/login:")
            return None
        email = str(st.user.get("email") or "")
        st.info(f"{email or 'This account'} can read the board but not edit it.", icon=":material/lock:")
        st.button("Sign out", on_click=st.logout)
        return None
    with st.form("editor_form", border=True):
        typed = (
            st.text_input("Editor passcode", type="password", key=PASSCODE_KEY) if how == "passcode" else ""
        )
        name = st.text_input("Your name, for the change history", key=NAME_KEY, max_chars=80)
        submitted = st.form_submit_button(
            "Start editing", type="primary", icon=":material/login:", key=SIGN_IN_KEY
        )
    if not submitted:
        st.caption(
            ("Editing needs the editor passcode; everyone can read the board. " if how == "passcode" else "")
            + "Every change records who made it and why. You stay an editor in this browser, on "
            "every page, until you sign out."
        )
        return None
    if how == "passcode" and not _passcode_right(typed or ""):
        st.error("That passcode is not right.", icon=":material/lock:")
        return None
    if not (name or "").strip():
        st.error("Give your name to edit: every change records who made it.", icon=":material/badge:")
        return None
    token = pass_for(" ".join((name or "").split()), _key())
    st.session_state[_KEPT] = _Kept(" ".join((name or "").split()), token)
    st.session_state[_COOKIE_DUE] = token
    st.session_state.pop(_SIGNED_OUT, None)
    st.rerun()  # drawn again as an editor, without the form
    return None  # pragma: no cover - st.rerun does not return


def signed_in_line(found: Editor) -> None:
    """Who is editing, with a way to sign out (in the sidebar): passcode and single-user
    editors stay editors across pages until they sign out here."""
    if mode() == "sign-in":
        return  # the account's own sign-out belongs to st.logout
    with st.sidebar:
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.caption(f"Editing as **{plain(found.name)}**")
        right.button("Sign out", on_click=sign_out, key="editor_sign_out", width="stretch")


def keep_in_browser() -> None:
    """Write (or clear) the browser's copy of the pass, once, when a sign-in or a sign-out
    asks for it: a cookie for this board's address that ends with the browser session."""
    due = st.session_state.pop(_COOKIE_DUE, None)
    if due is None:
        return
    # The value is base64url and hex, nothing a script could be made of.
    value = f"{due}; SameSite=Strict" if due else "; Max-Age=0; SameSite=Strict"
    st.html(
        "<script>document.cookie = '"
        + COOKIE
        + "=' + '"
        + value
        + "; path=/' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )

"""Who may change the catalogue: viewers read, editors edit.

Three modes, picked from ``.streamlit/secrets.toml`` (see ``secrets.toml.example``):

- **sign-in**: with an ``[auth]`` section and ``[cxprio] editors = ["ana@example.org", ...]``,
  an editor signs in with ``st.login`` and must be on the list; everyone else reads.
- **passcode**: with ``[cxprio] editor_passcode = "..."``, an editor types the passcode
  and their name (for the audit trail) once; everyone else reads.
- **single user**: with nothing about access configured at all, whoever runs the board
  is its editor (a laptop in a workshop); they give their name once, and every page says
  the mode is on.

Access fails closed: settings that are present but empty, not text, incomplete or
contradictory (an ``editors`` list without ``[auth]``, ``[auth]`` without ``editors``,
both a passcode and a list) put the board in the **closed** mode: nobody can edit, open
or close a round, and every page, and the server's log once, say what to fix.

Wrong passcodes are throttled (:mod:`cxprio.throttle`): five free, then waits that
double, per browser session and per client address, each logged.

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
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from cxprio.catalogue.limits import PERSON_NAME_LENGTH
from cxprio.texts import problem_in
from cxprio.throttle import Throttle, seconds_words

from .show import plain, sentence

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
_WHO = "guesser_id"
"""Session key: this session's own name in the throttles (a random one)."""
CLOSED = "closed"
"""The mode of access settings that cannot be trusted: nobody edits."""
PASSCODES = Throttle()
"""Wrong editor passcodes, per session and per client address (this server's)."""
LOG = logging.getLogger("cxprio.access")
LOGGED: set[str] = set()
"""The access problems logged already: each once per server."""


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


def settings_problem(configured: dict[str, Any], *, has_auth: bool) -> str | None:
    """What is wrong with the access settings ``configured`` (the ``[cxprio]`` section),
    with or without an ``[auth]`` section; ``None`` when they can be trusted (or say
    nothing about access at all)."""
    passcode = configured.get("editor_passcode")
    editors = configured.get("editors")
    if "editor_passcode" in configured and "editors" in configured:
        return (
            "the secrets give both an editor_passcode and an editors list: keep one of them "
            "(a passcode, or sign-in with the list)"
        )
    if "editor_passcode" in configured:
        if not isinstance(passcode, str):
            return 'editor_passcode in the secrets is not text: write it in quotes, editor_passcode = "..."'
        if not passcode.strip():
            return "editor_passcode in the secrets is empty: give a passcode, or remove the line"
    if "editors" in configured:
        if not isinstance(editors, list) or not editors:
            return 'editors in the secrets is not a list of e-mail addresses: write editors = ["ana@example.org"]'
        if not all(isinstance(e, str) and "@" in e and e.strip() == e and e for e in editors):
            return 'every entry of editors in the secrets must be an e-mail address in quotes, like "ana@example.org"'
        if not has_auth:
            return "the secrets give an editors list but no [auth] section to sign them in: add [auth]"
    elif has_auth:
        return "the secrets have an [auth] section but no editors list: add editors = [...] under [cxprio]"
    return None


def problem() -> str | None:
    """What is wrong with this board's access settings (logged once), or ``None``."""
    found = settings_problem(settings(), has_auth=_has_auth())
    if found is not None and found not in LOGGED:
        LOGGED.add(found)
        LOG.error("editing is off until the access settings are fixed: %s", found)
    return found


def mode() -> str:
    """``sign-in``, ``passcode``, ``single user`` or ``closed`` (see the module's text)."""
    if problem() is not None:
        return CLOSED
    configured = settings()
    if "editors" in configured:
        return "sign-in"
    if "editor_passcode" in configured:
        return "passcode"
    return "single user"


def guesser() -> list[str]:
    """Who is guessing, as throttle keys: this browser session, and the client's address
    (when Streamlit knows it)."""
    who = st.session_state.get(_WHO)
    if not isinstance(who, str):
        who = st.session_state[_WHO] = secrets.token_hex(8)
    address = client_address()
    return [f"session:{who}"] + ([f"address:{address}"] if address else [])


def client_address() -> str | None:
    """The client's address as the server sees it (a proxy's, behind one), when known."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def _passcode_right(typed: str) -> bool:
    expected = settings().get("editor_passcode")
    return (
        isinstance(expected, str)
        and bool(expected.strip())
        and hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8"))
    )


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
    if how == CLOSED:
        return None
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
    if how == CLOSED:
        closed_notice()
        return None
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
    if how == "passcode":
        keys = guesser()
        waiting = PASSCODES.wait(keys)
        if waiting > 0:
            st.error(
                f"Too many wrong passcodes from here: try again in {seconds_words(waiting)}.",
                icon=":material/lock_clock:",
            )
            return None
        if not _passcode_right(typed or ""):
            wait = PASSCODES.failed(keys)
            LOG.warning(
                "a wrong editor passcode from %s (%d wrong in a row)",
                client_address() or "an unknown address",
                max(PASSCODES.failures(k) for k in keys),
            )
            st.error(
                "That passcode is not right." + (f" Try again in {seconds_words(wait)}." if wait else ""),
                icon=":material/lock:",
            )
            return None
        PASSCODES.succeeded(keys)
    shown = " ".join((name or "").split())
    if not shown:
        st.error("Give your name to edit: every change records who made it.", icon=":material/badge:")
        return None
    wrong = problem_in(shown, limit=PERSON_NAME_LENGTH)
    if wrong is not None:  # a name shown beside every change must read as it is written
        st.error(sentence(f"your name {wrong[0]}: {wrong[1]}."), icon=":material/badge:")
        return None
    token = pass_for(shown, _key())
    st.session_state[_KEPT] = _Kept(shown, token)
    st.session_state[_COOKIE_DUE] = token
    st.session_state.pop(_SIGNED_OUT, None)
    st.rerun()  # drawn again as an editor, without the form
    return None  # pragma: no cover - st.rerun does not return


def closed_notice() -> None:
    """Why nobody can edit: the access settings are wrong (see :func:`settings_problem`)."""
    st.error(
        f"Editing is off: {problem()}. The board's operator fixes .streamlit/secrets.toml (see "
        "secrets.toml.example); everyone can still read the board.",
        icon=":material/lock:",
    )


def mode_line(*, closed_only: bool) -> None:
    """In the sidebar, what needs saying about access on every page: that the settings
    are wrong (nobody edits: drawn when ``closed_only``, at the top), or that single-user
    mode is on (anyone edits: drawn otherwise, under the weights)."""
    how = mode()
    if how == CLOSED and closed_only:
        with st.sidebar:
            st.error(f"Editing is off: {problem()}.", icon=":material/lock:")
    elif how == "single user" and not closed_only:
        with st.sidebar:
            st.caption(
                ":material/lock_open: Single-user mode: anyone who opens this board can edit. "
                "Set an editor passcode or sign-in (secrets.toml.example) before others connect."
            )


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

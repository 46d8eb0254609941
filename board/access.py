"""Who may change the catalogue: viewers read, editors edit.

Three modes, picked from ``.streamlit/secrets.toml`` (see ``secrets.toml.example``):

- **sign-in**: with an ``[auth]`` section and ``[cxprio] editors = ["ana@example.org", ...]``,
  an editor signs in with ``st.login`` and must be on the list; everyone else reads.
- **passcode**: with ``[cxprio] editor_passcode = "..."``, an editor types the passcode
  and their name (for the audit trail) once; everyone else reads.
- **single user**: with neither, whoever runs the board is its editor (a laptop in a
  workshop); they give their name once.

Once given, the passcode and name are kept for the browser session (this tab, across
every page) until *Sign out*: an editor is not asked again at each page. Each run still
checks the kept passcode against the secrets, so changing the passcode signs everyone
out; nothing in the page address makes anyone an editor, and the kept passcode lives
in the server's session state, where no browser can write it.
"""

from __future__ import annotations

import hmac
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
_KEPT = "editor_kept"
"""Session key, never a widget's: the passcode and name an editor gave (:class:`_Kept`)."""


@dataclass(frozen=True)
class Editor:
    """Someone allowed to edit, and the name the audit trail records."""

    name: str


@dataclass(frozen=True)
class _Kept:
    passcode: str
    name: str


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


def current() -> Editor | None:
    """The editor using this session, or ``None``, drawing nothing: a signed-in account
    on the editors list, or the passcode (when one is set) and name kept from the
    sign-in form, checked again against the secrets."""
    how = mode()
    if how == "sign-in":
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "")
        allowed = {str(e).strip().lower() for e in settings().get("editors", [])}
        return Editor(str(st.user.get("name") or email)) if email.lower() in allowed else None
    kept = st.session_state.get(_KEPT)
    if not isinstance(kept, _Kept) or not kept.name:
        return None
    if how == "passcode" and not _passcode_right(kept.passcode):
        st.session_state.pop(_KEPT, None)  # the passcode changed: sign in again
        return None
    return Editor(kept.name)


def sign_out() -> None:
    """Forget the kept passcode and name (a callback: the next run draws the form again)."""
    st.session_state.pop(_KEPT, None)


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
            + "Every change records who made it and why. You stay signed in on every page of "
            "this tab until you sign out."
        )
        return None
    if how == "passcode" and not _passcode_right(typed or ""):
        st.error("That passcode is not right.", icon=":material/lock:")
        return None
    if not (name or "").strip():
        st.error("Give your name to edit: every change records who made it.", icon=":material/badge:")
        return None
    st.session_state[_KEPT] = _Kept(typed or "", " ".join((name or "").split()))
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

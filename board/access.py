"""Who may change the catalogue: viewers read, editors edit.

Three modes, picked from ``.streamlit/secrets.toml`` (see ``secrets.toml.example``):

- **sign-in**: with an ``[auth]`` section and ``[cxprio] editors = ["ana@example.org", ...]``,
  an editor signs in with ``st.login`` and must be on the list; everyone else reads.
- **passcode**: with ``[cxprio] editor_passcode = "..."``, an editor types the passcode
  (and their name, for the audit trail) on the Edit page; everyone else reads.
- **single user**: with neither, whoever runs the board is its editor (a laptop in a
  workshop); they give their name once per session.

Each run checks again, from the secrets and what the person typed or signed in with:
nothing in the page address or the session state makes someone an editor.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

import streamlit as st

PASSCODE_KEY = "editor_passcode"
NAME_KEY = "editor_name"


@dataclass(frozen=True)
class Editor:
    """Someone allowed to edit, and the name the audit trail records."""

    name: str


def _settings() -> dict[str, Any]:
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
    settings = _settings()
    if _has_auth() and settings.get("editors"):
        return "sign-in"
    if settings.get("editor_passcode"):
        return "passcode"
    return "single user"


def editor() -> Editor | None:
    """The editor using this session, or ``None`` for a viewer. Draws what the mode
    needs: a sign-in button, or the passcode and name fields, or the name field."""
    settings = _settings()
    how = mode()
    if how == "sign-in":
        if not st.user.is_logged_in:
            st.info("Sign in to edit; everyone can read the board.", icon=":material/lock:")
            st.button("Sign in", on_click=st.login, icon=":material/login:")
            return None
        email = str(st.user.get("email") or "")
        allowed = {str(e).strip().lower() for e in settings.get("editors", [])}
        if email.lower() not in allowed:
            st.info(f"{email or 'This account'} can read the board but not edit it.", icon=":material/lock:")
            st.button("Sign out", on_click=st.logout)
            return None
        return Editor(str(st.user.get("name") or email))
    if how == "passcode":
        typed = st.text_input("Editor passcode", type="password", key=PASSCODE_KEY)
        if not typed:
            st.caption("Editing needs the editor passcode; everyone can read the board.")
            return None
        if not hmac.compare_digest(typed.encode("utf-8"), str(settings["editor_passcode"]).encode("utf-8")):
            st.error("That passcode is not right.", icon=":material/lock:")
            return None
    name = st.text_input("Your name, for the change history", key=NAME_KEY, max_chars=80).strip()
    if not name:
        st.caption("Give your name to edit: every change records who made it and why.")
        return None
    return Editor(name)

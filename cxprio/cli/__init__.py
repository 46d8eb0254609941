"""The command line, ``python -m cxprio``: :mod:`.main` (the entry, exit codes and
errors) and a module per group of commands: :mod:`.catalogue`, :mod:`.packs`,
:mod:`.store`, :mod:`.rounds`; :mod:`.common` holds what they share. The README's
"Command line" section documents every command and option."""

"""What the board and the CLI give people: tables, charts and the workshop pack.

- :mod:`.tables`: the tables the board shows (pandas);
- :mod:`.headings`: their headings and values in words;
- :mod:`.charts`: the charts (Vega-Lite through Altair);
- :mod:`.exports`: CSV and spreadsheet cells made safe to open;
- :mod:`.rounds`: the tables of workshop rounds (dots, progress, the weights vote, a
  closed round's record);
- :mod:`.report`: the workshop pack (HTML report, workbook, slides, charts).
"""

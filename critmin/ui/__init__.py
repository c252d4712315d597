"""The pygame-ce front end: scenes, world map, flows, panels. Renders observations, submits actions.

pygame itself is imported only by the modules that draw (never by `critmin.ui.commands`), so
`critmin` works without the UI extra installed.
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # no banner on stdout when pygame loads

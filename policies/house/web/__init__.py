"""The browser half of the house policy: screen parse -> skill chosen by the instruction -> action.

Pixels only: each step parses the frame (`perception.screen.parser`), and the skill that the
instruction's wording selects turns the parse into one typed action. No DOM, no page script,
no code path keyed on a task's name.
"""

from policies.house.web.policy import HouseWebPolicy

__all__ = ["HouseWebPolicy"]

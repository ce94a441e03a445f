"""The browser half of the house policy: instruction -> plan -> grounded, checked actions.

Pixels only: each step parses the frame (`perception.screen.parser`), grounds the plan's current
step on that parse and checks the last action on the new frame. No DOM, no page script, no code
path keyed on a task's name, template or layout.
"""

from policies.house.web.plan_policy import PlanConfig, PlanWebPolicy

__all__ = ["PlanConfig", "PlanWebPolicy"]

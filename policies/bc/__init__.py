"""Behaviour cloning for the tabletop robot: a small image + proprio + instruction -> EE-delta net.

`network` holds the model and its saved form, `training` the loop behind `handeye train bc`,
`policy` the `--policy bc --model DIR` policy that acts from pixels and proprio alone.
"""

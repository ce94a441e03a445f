"""Tiny real apps the desktop tasks launch (run as scripts, standard library + Tk only)."""

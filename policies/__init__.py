"""handeye: policies."""

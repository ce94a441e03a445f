"""handeye: agent."""

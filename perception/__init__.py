"""handeye: perception."""

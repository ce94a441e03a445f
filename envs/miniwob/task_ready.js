// Whether the task has built its episode (some tasks build it asynchronously).
() => WOB_TASK_READY

// Whether the task page's MiniWoB core has loaded.
() => typeof core !== 'undefined' && !!core.cover_div

// Starts an episode; returns whether the task is ready. Scroll offsets are reset first because
// containers that survive between episodes would otherwise keep the last episode's scroll
// position. So would jQuery UI widgets that outlive an episode (a date picker left open, an
// autocomplete list, a menu's open submenu and its pending timer): the next episode would start
// from the last one's state.
([seed, mode, maxTime]) => {
  if (core.EP_TIMER !== null) core.endEpisode(0);
  if (window.jQuery) {
    if (jQuery.datepicker && jQuery.datepicker._datepickerShowing) {
      jQuery.datepicker._hideDatepicker();
    }
    jQuery('.ui-autocomplete').hide();
    jQuery('.ui-menu').each(function () {  // built once per page: close submenus, drop timers
      const menu = jQuery.data(this, 'ui-menu');
      if (!menu) return;
      menu.blur();
      menu._close(menu.element);
      clearTimeout(menu.timer);
    });
  }
  // Blur, and move Tab's starting point to the top of the page: Chromium keeps it at the
  // last focused element, so Tab would go on from the last episode's field.
  const top = document.createElement('span');
  top.tabIndex = -1;
  document.body.prepend(top);
  top.focus();
  top.remove();
  for (const el of document.querySelectorAll('*')) {
    if (el.scrollTop) el.scrollTop = 0;
    if (el.scrollLeft) el.scrollLeft = 0;
  }
  Math.seedrandom(seed);
  core.setDataMode(mode);
  if (maxTime !== null) core.EPISODE_MAX_TIME = maxTime;
  core.startEpisodeReal();
  return WOB_TASK_READY;
}

// simon-says: each episode binds another click handler that judges clicks against its own
// sequence, and the last episode's blinks (the warm-up episode's too) may still be pending on
// timers. Each button is swapped for a clean copy before each episode: the old handlers and the
// old timers keep the detached buttons, so the new episode shows and judges its own sequence.
() => { $('#area button').each(function () { $(this).replaceWith($(this).clone().removeClass('push')); }); }

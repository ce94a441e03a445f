// moving-items: each episode's genProblem leaves a 9.9 s timer that ends the episode with that
// episode's own score (and a start timer per circle); the warm-up's or the last episode's timer
// ended the new episode with the old score. Every pending timeout is cleared before each episode
// (d3's timer restarts its own loop when the new episode's transitions start).
() => { const last = setTimeout(() => {}, 0); for (let id = 1; id <= last; id++) clearTimeout(id); }

// One round trip at reset: start the episode, then read the state as JSON if the task is ready
// (null if not yet). `startEpisode`, `state` and `toJson` are bound in env.py.
([seed, mode, maxTime, withDom]) => {
  const ready = startEpisode([seed, mode, maxTime]);
  return ready ? toJson(state(withDom)) : null;
}

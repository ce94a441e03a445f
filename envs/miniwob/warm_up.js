// A throw-away first episode lets images and fonts load, so that episode one of a fresh page
// renders like every later one. Returns the page's own episode timer (ms).
// `startEpisode` and `preloadImages` are start_episode.js and preload_images.js (bound in env.py).
async (mode) => {
  const maxTime = core.EPISODE_MAX_TIME;
  startEpisode([0, mode, null]);
  await document.fonts.ready;
  await new Promise((r) => setTimeout(r, 50));
  await preloadImages();
  core.endEpisode(0);
  return maxTime;
}

// Loads every image the page's stylesheets name (icons, game marks set by a class later) once,
// at page load: an image first fetched when a step adds its class arrives a frame or more later,
// so the same action could show it or not depending on load.
async () => {
  const urls = new Set();
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const rule of rules) {
      for (const m of rule.cssText.matchAll(/url\(["']?([^"')]+)["']?\)/g)) {
        urls.add(new URL(m[1], sheet.href || document.baseURI).href);
      }
    }
  }
  window.__handeyePreloaded = [...urls].map((u) => { const i = new Image(); i.src = u; return i; });
  await Promise.all(window.__handeyePreloaded.map((i) => i.decode().catch(() => null)));
  return urls.size;
}

// Resolves after two animation frames: the page has drawn what the last input changed.
new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))

// Reward globals, the instruction and (optionally) the DOM flattened with parent refs, in one call.
// Refs are renumbered in document order: the page's own ref codes depend on how many episodes
// ran before, which would make the same seed give different info. MiniWoB's `tampered` flag is
// dropped: the page sets it on a `click` event, and whether a click follows a drag depends on
// where the dragged element is at mouseup (timing), so the same seed and drag gave either.
(withDom) => {
  const out = {done: WOB_DONE_GLOBAL, reward: WOB_REWARD_GLOBAL, raw: WOB_RAW_REWARD_GLOBAL,
               reason: WOB_REWARD_REASON, ready: WOB_TASK_READY};
  const u = core.getUtterance();
  out.utterance = (typeof u === 'object') ? u.utterance : u;
  out.fields = (typeof u === 'object') ? u.fields : null;
  if (withDom) {
    const flat = [];
    const walk = (node, parent) => {
      if (!node) return;
      const {children, tampered, ...rest} = node;  // tampered: timing-dependent (see the top)
      rest.ref = flat.length + 1;
      if (typeof rest.classes === 'string') {  // a set: event order must not change it
        rest.classes = rest.classes.split(/\s+/).filter(Boolean).sort().join(' ');
      } else {
        rest.classes = '';
      }
      rest.parent = parent;
      flat.push(rest);
      (children || []).forEach((c) => walk(c, rest.ref));
    };
    walk(core.getDOMInfo(), null);
    out.dom = flat;
  }
  return out;
}

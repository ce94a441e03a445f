// One tab: links, forms and window.open that would open a new tab navigate this one instead.
(() => {
  const same = (el) => { if (el && el.target && el.target !== '_self') el.target = '_self'; };
  document.addEventListener('click', (e) => same(e.target.closest && e.target.closest('a')), true);
  document.addEventListener('submit', (e) => same(e.target), true);
  window.open = (url) => { if (url) location.href = url; return window; };
})();

// Adds a stylesheet; with `still`, jQuery animations also finish at once.
([css, still]) => {
  const sheet = document.createElement('style');
  sheet.textContent = css;
  document.head.appendChild(sheet);
  if (still && window.jQuery) jQuery.fx.off = true;
}

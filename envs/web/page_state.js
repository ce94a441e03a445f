// Title and focused element in one round trip; shadow roots are followed to the real element.
() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  let focus = null;
  if (el && el !== document.body && el !== document.documentElement) {
    focus = {tag: el.tagName.toLowerCase(), type: (el.type || '').toLowerCase(),
             name: el.name || el.id || '', form: !!(el.form || el.closest('form')),
             editable: !!el.isContentEditable, action: el.form ? el.form.action : ''};
  }
  return {title: document.title, focus};
}

// What is under a point, as a person reads it off the screen and the status bar (link target).
([x, y]) => {
  const hit = document.elementFromPoint(x, y);
  if (!hit) return null;
  const link = hit.closest('a[href]');
  let el = hit.closest('button, input, select, textarea, label, a') || hit;
  if (el.tagName === 'LABEL' && el.control) el = el.control;
  const tag = el.tagName.toLowerCase(), type = (el.type || '').toLowerCase();
  const form = el.form || el.closest('form');
  const submit = !!form && ((tag === 'button' && type === 'submit') ||
                            (tag === 'input' && (type === 'submit' || type === 'image')));
  const value = type === 'password' ? '' : el.value;  // a password is never read back out
  const text = (el.innerText || value || el.getAttribute('aria-label') || '').trim();
  // formAction falls back to the document's URL when the attribute is absent: ask the form.
  const action = !submit ? '' : el.hasAttribute('formaction') ? el.formAction : form.action;
  return {tag, type, name: el.name || el.id || '', text: text.slice(0, 80),
          href: link ? link.href : null, form: !!form, submit, action};
}

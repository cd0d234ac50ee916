// mailcluster webmail: the only script. Everything works without it; it adds keyboard shortcuts,
// local times, "select all" and address-book suggestions. No inline handlers (the CSP allows none).
'use strict';

(() => {
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  // Times are rendered in UTC by the server; show them in the reader's time zone.
  const today = new Date().toDateString();
  for (const el of $$('time[datetime]')) {
    const date = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(date.getTime())) continue;
    el.title = date.toString();
    el.textContent =
      el.dataset.format === 'long'
        ? date.toLocaleString()
        : date.toDateString() === today
          ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
          : date.toLocaleDateString([], { month: 'short', day: 'numeric', year: date.getFullYear() === new Date().getFullYear() ? undefined : 'numeric' });
  }

  for (const box of $$('[data-select-all]')) {
    box.addEventListener('change', () => {
      for (const row of $$('input[name="ids"]', box.form)) row.checked = box.checked;
    });
  }

  // ---- keyboard shortcuts: j/k move, Enter/o open, x select, c compose, r/a/f reply/all/forward, # delete, / search
  const rows = $$('[data-row]');
  let focused = -1;
  const focusRow = (index) => {
    if (rows.length === 0) return;
    focused = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle('focused', i === focused));
    const link = rows[focused].querySelector('a');
    if (link) link.focus();
  };
  const typing = (target) => target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  const press = (key) => {
    const el = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (!el) return false;
    el.click();
    return true;
  };

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const { key } = event;
    let handled = true;
    if (key === 'j') focusRow(focused + 1);
    else if (key === 'k') focusRow(focused - 1);
    else if ((key === 'o' || key === 'Enter') && focused >= 0) rows[focused].querySelector('a')?.click();
    else if (key === 'x' && focused >= 0) {
      const box = rows[focused].querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
    } else if (key === '/') document.querySelector('[data-key-focus="/"]')?.focus();
    else if (key === '#') {
      // In a list: the ticked messages, or else the one under the cursor.
      if (rows.length > 0 && !$$('input[name="ids"]:checked').length && focused >= 0) {
        const box = rows[focused].querySelector('input[name="ids"]');
        if (box) box.checked = true;
      }
      handled = press('#');
    } else handled = ['c', 'r', 'a', 'f'].includes(key) && press(key);
    if (handled) event.preventDefault();
  });

  // ---- address-book suggestions for the To, Cc and Bcc fields
  let listId = 0;
  for (const input of $$('input[data-contacts]')) {
    const list = document.createElement('ul');
    list.id = `contacts-${++listId}`;
    list.className = 'suggestions';
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    input.after(list);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('aria-expanded', 'false');
    let active = -1;
    let timer;

    const close = () => {
      list.hidden = true;
      list.replaceChildren();
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    };
    const choose = (option) => {
      const parts = input.value.split(',');
      parts[parts.length - 1] = ` ${option.dataset.value}`;
      input.value = `${parts.join(',').replace(/^\s+/, '')}, `;
      close();
      input.focus();
    };
    const mark = (index) => {
      const options = $$('[role="option"]', list);
      if (options.length === 0) return;
      active = (index + options.length) % options.length;
      options.forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
      input.setAttribute('aria-activedescendant', options[active].id);
    };

    input.addEventListener('input', () => {
      clearTimeout(timer);
      const term = input.value.split(',').pop().trim();
      if (term.length < 1) return close();
      timer = setTimeout(async () => {
        const response = await fetch(`/api/contacts?q=${encodeURIComponent(term)}`, { headers: { accept: 'application/json' } });
        if (!response.ok) return close();
        const { contacts } = await response.json();
        list.replaceChildren(
          ...contacts.map((contact, i) => {
            const li = document.createElement('li');
            li.id = `${list.id}-${i}`;
            li.setAttribute('role', 'option');
            li.dataset.value = contact.name ? `"${contact.name.replace(/"/g, '')}" <${contact.address}>` : contact.address;
            li.textContent = contact.name ? `${contact.name} <${contact.address}>` : contact.address;
            li.addEventListener('mousedown', (event) => {
              event.preventDefault();
              choose(li);
            });
            return li;
          }),
        );
        list.hidden = contacts.length === 0;
        input.setAttribute('aria-expanded', String(contacts.length > 0));
        active = -1;
      }, 120);
    });
    input.addEventListener('keydown', (event) => {
      if (list.hidden) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        mark(active + (event.key === 'ArrowDown' ? 1 : -1));
        event.preventDefault();
      } else if (event.key === 'Enter' && active >= 0) {
        choose($$('[role="option"]', list)[active]);
        event.preventDefault();
      } else if (event.key === 'Escape') close();
    });
    input.addEventListener('blur', () => setTimeout(close, 150));
  }
})();

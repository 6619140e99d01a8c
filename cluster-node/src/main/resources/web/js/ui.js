// Small DOM helpers: h('button', { class: 'primary', onclick }, 'Join') builds an element.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'testid') el.dataset.testid = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function initials(name) {
  return (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

let toastTimer;
export function toast(text) {
  let el = document.querySelector('.toast');
  if (!el) {
    el = h('div', { class: 'toast', role: 'status', testid: 'toast' });
    document.body.append(el);
  }
  el.textContent = text;
  el.classList.remove('hidden');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.add('hidden'), 4000);
}

const WORDS = {
  adjectives: ['brave', 'calm', 'bright', 'quiet', 'lunar', 'swift', 'gentle', 'silver', 'happy', 'clever', 'golden',
    'misty', 'sunny', 'cosmic', 'polar', 'amber'],
  nouns: ['otter', 'falcon', 'comet', 'harbor', 'meadow', 'crater', 'river', 'maple', 'orbit', 'lantern', 'heron',
    'canyon', 'glacier', 'nebula', 'willow', 'badger'],
};

/** A readable random meeting name such as "brave-lunar-otter-42". */
export function randomRoomName() {
  const pick = (list) => list[crypto.getRandomValues(new Uint32Array(1))[0] % list.length];
  const n = crypto.getRandomValues(new Uint32Array(1))[0] % 100;
  return `${pick(WORDS.adjectives)}-${pick(WORDS.adjectives)}-${pick(WORDS.nouns)}-${n}`;
}

// The web meeting client: start page, pre-join (name, devices, passcode, lobby) and the meeting itself.
import { Signaling } from './signaling.js';
import { Meeting } from './meeting.js';
import { h, clear, randomRoomName } from './ui.js';
import { E2ee } from './e2ee.js';
import { EmbedBridge } from './embed-bridge.js';

const app = document.getElementById('app');
const ROOM = /^[A-Za-z0-9._-]{1,64}$/;

async function loadBranding() {
  try {
    const r = await fetch('/api/config');
    if (r.ok) return await r.json();
  } catch {
    // a node without the endpoint: defaults below
  }
  return { productName: 'Meeting', logoUrl: null, accentColor: null };
}

function brandHeader(branding) {
  return h('div', { class: 'brand', testid: 'brand' },
    branding.logoUrl ? h('img', { src: branding.logoUrl, alt: '' }) : null,
    h('span', {}, branding.productName));
}

/** Refusals that no retry on this page can fix: shown as a page of their own. */
const FINAL_REFUSALS = new Set(['token_required', 'token_expired', 'token_invalid', 'token_wrong_room', 'banned',
  'room_ended']);

/**
 * The join token of this meeting's link (?jwt=...). It is taken out of the address bar at once, so "Copy meeting
 * link" and screenshots never pass on a personal invitation, and kept for this tab only (a reload still has it).
 * @param {string} room
 * @returns {string | null}
 */
function tokenFromLink(room) {
  const key = `lchat.jwt.${room}`;
  const params = new URLSearchParams(location.search);
  const jwt = params.get('jwt');
  if (jwt) {
    params.delete('jwt');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
    try {
      sessionStorage.setItem(key, jwt);
    } catch {
      // storage refused (private mode): the token still works until the page is left
    }
    return jwt;
  }
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * What a token says, read without checking it (the server checks it; this only shows the name).
 * @param {string} jwt
 * @returns {{name?: string, role?: string, exp?: number} | null}
 */
function tokenClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

function roomFromPath() {
  const name = decodeURIComponent(location.pathname.replace(/^\/+|\/+$/g, ''));
  return ROOM.test(name) ? name : null;
}

function startPage(branding) {
  const nameInput = h('input', { id: 'room-name', testid: 'room-name', placeholder: 'Meeting name',
    'aria-label': 'Meeting name', autocomplete: 'off' });
  const error = h('p', { class: 'error', role: 'alert', testid: 'start-error' });
  const go = (name) => {
    if (!ROOM.test(name)) {
      error.textContent = 'A meeting name has 1 to 64 letters, digits, ".", "_" or "-".';
      return;
    }
    location.assign('/' + encodeURIComponent(name));
  };
  nameInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(nameInput.value.trim()); });
  clear(app).append(h('div', { class: 'center' }, h('div', { class: 'card' },
    brandHeader(branding),
    h('h1', {}, 'Start or join a meeting'),
    h('button', { class: 'primary', testid: 'create', onclick: () => go(randomRoomName()) }, 'Start a new meeting'),
    h('div', { class: 'row' }, nameInput, h('button', { testid: 'join-by-name', onclick: () => go(nameInput.value.trim()) }, 'Join')),
    error)));
  nameInput.focus();
}

/** Camera and microphone for the preview and the meeting; null tracks when a device is missing or refused. */
async function openDevices(audioId, videoId) {
  const audio = audioId ? { deviceId: { exact: audioId } } : true;
  const video = { width: { ideal: 1280 }, height: { ideal: 720 }, ...(videoId ? { deviceId: { exact: videoId } } : {}) };
  for (const constraints of [{ audio, video }, { audio }, { video }]) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch {
      // try with fewer devices
    }
  }
  return new MediaStream();
}

async function prejoin(room, branding) {
  // Embedded by another site's page (docs/embed.md): its options, and with a name no pre-join screen.
  const token = embed?.options.token || tokenFromLink(room);
  const claims = token ? tokenClaims(token) : null;
  const tokenName = typeof claims?.name === 'string' && claims.name ? claims.name : null;
  const saved = localStorage.getItem('lchat.name') || '';
  // With an invitation that names the person, the name is the invitation's: shown, not editable.
  const name = h('input', { id: 'display-name', testid: 'display-name', value: tokenName || saved, maxlength: 64,
    placeholder: 'Your name', 'aria-label': 'Your name', autocomplete: 'name', readOnly: !!tokenName,
    title: tokenName ? 'Your name comes from your invitation' : undefined });
  const invited = tokenName ? h('p', { class: 'message', testid: 'invited-as' }, `Invited as ${tokenName}`) : null;
  const preview = h('video', { class: 'preview', testid: 'preview', autoplay: true, muted: true, playsInline: true });
  const micSelect = h('select', { 'aria-label': 'Microphone', testid: 'mic-select' });
  const camSelect = h('select', { 'aria-label': 'Camera', testid: 'cam-select' });
  const startMuted = h('input', { type: 'checkbox', testid: 'start-muted' });
  const startVideoOff = h('input', { type: 'checkbox', testid: 'start-video-off' });
  const passcode = h('input', { type: 'password', testid: 'passcode', placeholder: 'Passcode', 'aria-label': 'Passcode' });
  const e2ee = h('input', { type: 'checkbox', testid: 'e2ee', disabled: !E2ee.supported() });
  const e2eePassphrase = h('input', { type: 'password', testid: 'e2ee-passphrase', placeholder: 'Encryption passphrase',
    'aria-label': 'Encryption passphrase', class: 'hidden' });
  e2ee.addEventListener('change', () => e2eePassphrase.classList.toggle('hidden', !e2ee.checked));
  const passcodeRow = h('div', { class: 'row hidden', testid: 'passcode-row' }, passcode);
  const status = h('p', { class: 'message', role: 'status', testid: 'prejoin-status' });
  const joinButton = h('button', { class: 'primary', testid: 'join' }, 'Join meeting');
  const copy = h('button', { testid: 'copy-link', onclick: async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      copy.textContent = 'Link copied';
    } catch {
      copy.textContent = location.href;
    }
  } }, 'Copy meeting link');
  let stream = await openDevices();
  preview.srcObject = stream;

  async function fillDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    for (const [select, kind, track] of [[micSelect, 'audioinput', stream.getAudioTracks()[0]],
      [camSelect, 'videoinput', stream.getVideoTracks()[0]]]) {
      clear(select);
      const current = track?.getSettings().deviceId;
      for (const d of devices.filter((x) => x.kind === kind)) {
        select.append(h('option', { value: d.deviceId, selected: d.deviceId === current }, d.label || kind));
      }
      select.disabled = select.options.length === 0;
    }
  }
  const reopen = async () => {
    stream.getTracks().forEach((t) => t.stop());
    stream = await openDevices(micSelect.value || null, camSelect.value || null);
    preview.srcObject = stream;
  };
  micSelect.addEventListener('change', reopen);
  camSelect.addEventListener('change', reopen);
  await fillDevices();

  const card = h('div', { class: 'center' }, h('div', { class: 'card', testid: 'prejoin' },
    brandHeader(branding),
    h('h1', {}, room),
    copy,
    preview,
    h('label', {}, 'Microphone', micSelect),
    h('label', {}, 'Camera', camSelect),
    h('label', {}, startMuted, 'Join muted'),
    h('label', {}, startVideoOff, 'Join with camera off'),
    h('label', { title: 'Everyone must use the same passphrase; the server cannot see or hear the meeting' },
      e2ee, E2ee.supported() ? 'End-to-end encryption' : 'End-to-end encryption (not supported by this browser)'),
    e2eePassphrase,
    invited, name, passcodeRow, joinButton, status));
  const autoJoin = !!embed && !!(embed.options.name || tokenName);
  if (embed) {
    if (embed.options.name && !tokenName) name.value = embed.options.name;
    startMuted.checked = embed.options.startAudioMuted;
    startVideoOff.checked = embed.options.startVideoMuted;
  }
  if (!autoJoin) clear(app).append(card);
  if (tokenName) joinButton.focus();
  else name.focus();

  let signaling = null;
  const join = async () => {
    const displayName = tokenName || name.value.trim();
    if (!displayName && !token) {
      status.textContent = 'Please enter your name.';
      name.focus();
      return;
    }
    if (e2ee.checked && e2eePassphrase.value.length < 8) {
      status.textContent = 'The encryption passphrase needs at least 8 characters.';
      e2eePassphrase.focus();
      return;
    }
    if (!tokenName) localStorage.setItem('lchat.name', displayName);
    joinButton.disabled = true;
    status.textContent = 'Joining…';
    try {
      if (!signaling) {
        signaling = new Signaling();
        const hello = signaling.next('hello');
        await signaling.connect();
        await hello;
      }
      // Ready before joining: the room's first media offer may follow "joined" at once.
      const encryption = e2ee.checked ? await E2ee.create(e2eePassphrase.value, room) : null;
      const reply = signaling.next('joined', 'lobby', 'refused');
      signaling.send({ type: 'join', room, name: displayName || undefined, passcode: passcode.value || undefined,
        token: token || undefined });
      let msg = await reply;
      if (msg.type === 'lobby') {
        status.textContent = '';
        msg = await lobbyWait(signaling, branding, msg);
      }
      if (msg.type === 'joined') {
        const meeting = new Meeting(app, signaling, msg, stream, {
          branding, startMuted: startMuted.checked, startVideoOff: startVideoOff.checked, e2ee: encryption,
          onEnd: (text, code) => {
            embed?.ended(code);
            ended(text, branding, code);
          },
        });
        window.lchatMeeting = meeting;
        const started = meeting.start();
        embed?.attach(meeting);
        await started;
        return;
      }
      if (msg.type === 'refused') embed?.refused(msg);
      if (msg.type === 'refused' && FINAL_REFUSALS.has(msg.code)) {
        stream.getTracks().forEach((t) => t.stop());
        signaling.close();
        refusedPage(msg, branding);
        return;
      }
      if (msg.type === 'refused') {
        if (msg.code === 'passcode_required' || msg.code === 'passcode_wrong' || msg.code === 'passcode_throttled') {
          passcodeRow.classList.remove('hidden');
          if (!app.contains(card)) clear(app).append(card); // an embedded meeting that joined by itself
          passcode.focus();
        }
        if (document.body.contains(status)) {
          status.textContent = refusalText(msg);
          status.dataset.code = msg.code;
        } else {
          ended(refusalText(msg), branding, msg.code);
        }
      }
    } catch (e) {
      status.textContent = 'Could not reach the meeting server. ' + e.message;
      signaling = null;
    } finally {
      joinButton.disabled = false;
    }
  };
  joinButton.addEventListener('click', join);
  for (const input of [name, passcode]) input.addEventListener('keydown', (e) => { if (e.key === 'Enter') join(); });
  if (autoJoin) join();
}

/** @param {number} seconds */
function waitText(seconds) {
  if (!seconds || seconds < 60) return `${Math.max(1, seconds || 1)} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.ceil(minutes / 60)} h`;
}

function refusalText(msg) {
  switch (msg.code) {
    case 'passcode_required': return 'This meeting has a passcode. Please enter it.';
    case 'passcode_wrong': return msg.retry_after
      ? `That passcode is wrong. You can try again in ${waitText(msg.retry_after)}.`
      : 'That passcode is wrong. Please try again.';
    case 'passcode_throttled': return `Too many wrong passcodes. You can try again in ${waitText(msg.retry_after)}.`;
    case 'denied': return 'A moderator did not let you in.';
    case 'removed': return 'You were removed from this meeting.';
    case 'room_full': return 'This meeting is full.';
    case 'invalid_name': return 'Please choose another name (1 to 64 characters, no invisible characters).';
    case 'token_required': return 'This meeting is for invited people only. Please open the link from your invitation.';
    case 'token_expired': return 'Your invitation link has expired (or is not valid yet). Please ask the organiser for a new one.';
    case 'token_invalid': return 'Your invitation link is not valid: it is damaged or was not issued by this service. Please ask the organiser for a new one.';
    case 'token_wrong_room': return 'Your invitation is for another meeting. Please check the link.';
    case 'banned': return 'You were removed from this meeting and cannot join it again.';
    case 'room_ended': return 'The meeting has ended.';
    default: return msg.message || 'You could not join.';
  }
}

/**
 * The lobby: nothing of the room is shown; resolves with joined or refused. A guest of a meeting no host has
 * started yet waits for the host first (waitingFor "host"), then perhaps for a moderator.
 */
function lobbyWait(signaling, branding, first) {
  const cancel = h('button', { testid: 'lobby-cancel', onclick: () => { signaling.send({ type: 'leave' }); location.reload(); } }, 'Leave');
  const saved = [...app.childNodes];
  const title = h('h1', {});
  const text = h('p', { class: 'message', testid: 'lobby-message' });
  const show = (msg) => {
    const forHost = msg.waitingFor === 'host';
    title.textContent = forHost ? 'Waiting for the host' : 'Waiting for a moderator';
    text.textContent = forHost ? 'The meeting has not started yet. You will join as soon as the host arrives.'
      : 'You will join as soon as a moderator lets you in.';
  };
  show(first);
  const off = signaling.on('lobby', show);
  clear(app).append(h('div', { class: 'center' }, h('div', { class: 'card', testid: 'lobby' },
    brandHeader(branding), title, text, cancel)));
  return signaling.next('joined', 'refused').then((msg) => {
    off();
    if (msg.type === 'refused') return msg;
    clear(app).append(...saved);
    return msg;
  });
}

/** A refusal that no retry here can fix (an invitation that is expired, for another meeting, ...). */
function refusedPage(msg, branding) {
  clear(app).append(h('div', { class: 'center' }, h('div', { class: 'card', testid: 'refused' },
    brandHeader(branding), h('h1', {}, 'You cannot join this meeting'),
    h('p', { testid: 'refused-message', 'data-code': msg.code, role: 'alert' }, refusalText(msg)),
    h('button', { class: 'primary', onclick: () => location.assign('/') }, 'Back to start'))));
}

function ended(text, branding, code) {
  clear(app).append(h('div', { class: 'center' }, h('div', { class: 'card', testid: 'ended' },
    brandHeader(branding), h('h1', {}, 'Meeting'),
    h('p', { testid: 'ended-message', 'data-code': code || '' }, text),
    h('button', { class: 'primary', onclick: () => location.assign('/') }, 'Back to start'))));
}

const loaded = await loadBranding();
const embed = EmbedBridge.fromLocation(loaded.embed);
const branding = embed ? embed.branding(loaded) : loaded;
document.title = branding.productName || roomFromPath() || 'Meeting';
if (branding.accentColor) document.documentElement.style.setProperty('--accent', branding.accentColor);
const room = roomFromPath();
if (room) prejoin(room, branding);
else startPage(branding);

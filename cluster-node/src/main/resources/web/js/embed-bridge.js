// @ts-check
// The meeting embedded in another site's page (docs/embed.md): the host page's /external_api.js created this
// iframe with its options in the address's fragment; commands come from the parent window over postMessage and
// events go back to it, to the parent's origin only, and only when the deployment allows that origin
// (lchat.embed.allowed-origins, which the node also enforces as the page's frame-ancestors).

const PROTOCOL = 'lchat-embed';
/** Toolbar controls a host page may leave out (options.features: { chat: false, ... }), by data-testid. */
const CONTROLS = {
  chat: 'open-chat', screenshare: 'toggle-screen', presentation: 'present-pdf', raiseHand: 'toggle-hand',
  sharedVideo: 'open-shared', sharedPage: 'share-page', settings: 'open-settings', people: 'open-people', layout: 'toggle-layout',
  camera: 'toggle-camera', microphone: 'toggle-mic', leave: 'leave', copyLink: 'copy-link',
};

/**
 * @typedef {{ id: string, displayName: string, role: string, audioMuted: boolean, videoMuted: boolean }} Person
 * @typedef {{ allowedOrigins?: string[], allowHideBranding?: boolean }} EmbedConfig
 */

/** @param {string} value */
function isOrigin(value) {
  try {
    return new URL(value).origin === value && /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

export class EmbedBridge {
  /**
   * The bridge when this page is a meeting embedded through the iframe API by an allowed origin; null otherwise
   * (a plain meeting page, or a parent that is not allowed: it gets no events and its commands are not taken).
   * @param {EmbedConfig | undefined} config the deployment's embedding settings (GET /api/config)
   * @returns {EmbedBridge | null}
   */
  static fromLocation(config) {
    if (window.parent === window) return null;
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get('lchat-embed') !== '1') return null;
    const parentOrigin = params.get('origin') || '';
    const allowed = config?.allowedOrigins || [];
    // The origin the parent names must be its own: browsers that say who the ancestors are are asked (Chromium,
    // WebKit); elsewhere a parent that lied gets nothing, since events go to the named origin only and commands
    // are taken from it only.
    const ancestors = /** @type {any} */ (location).ancestorOrigins;
    const actual = ancestors && ancestors.length > 0 ? ancestors[0] : null;
    if (!isOrigin(parentOrigin) || (actual !== null && actual !== parentOrigin)
      || !(allowed.includes('*') || allowed.includes(parentOrigin))) {
      console.warn(`This meeting may not be embedded by ${parentOrigin || 'this page'} (lchat.embed.allowed-origins).`);
      return null;
    }
    /** @type {Record<string, boolean>} */
    let features = {};
    try {
      const f = JSON.parse(params.get('features') || '{}');
      if (f && typeof f === 'object' && !Array.isArray(f)) features = f;
    } catch {
      // malformed: every control stays
    }
    return new EmbedBridge(parentOrigin, {
      name: (params.get('name') || '').trim() || null,
      token: params.get('jwt') || null,
      lang: params.get('lang') || null,
      features,
      hideBranding: params.get('hideBranding') === '1' && config?.allowHideBranding === true,
      startAudioMuted: params.get('startAudioMuted') === '1',
      startVideoMuted: params.get('startVideoMuted') === '1',
    });
  }

  /**
   * @param {string} parentOrigin
   * @param {{ name: string | null, token: string | null, lang: string | null, features: Record<string, boolean>,
   *   hideBranding: boolean, startAudioMuted: boolean, startVideoMuted: boolean }} options
   */
  constructor(parentOrigin, options) {
    this.parentOrigin = parentOrigin;
    this.options = options;
    /** @type {any} the Meeting, once joined */
    this.meeting = null;
    /** @type {Map<string, Person>} the roster as last told to the host page */
    this.people = new Map();
    this.left = false;
    window.addEventListener('message', (e) => this.receive(e));
    this.applyLook();
    this.post('ready', {});
  }

  /** The branding to show: none at all when the host page asked and the deployment allows it. */
  branding(/** @type {any} */ branding) {
    return this.options.hideBranding ? { ...branding, productName: '', logoUrl: null } : branding;
  }

  applyLook() {
    if (this.options.lang && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(this.options.lang)) {
      document.documentElement.lang = this.options.lang;
    }
    const hidden = Object.entries(CONTROLS).filter(([f]) => this.options.features[f] === false).map(([, id]) => id);
    const rules = hidden.map((id) => `[data-testid="${id}"] { display: none !important; }`);
    if (this.options.hideBranding) {
      document.documentElement.dataset.branding = 'hidden';
      rules.push('.brand { display: none !important; }');
    }
    if (rules.length > 0) {
      const style = document.createElement('style');
      style.textContent = rules.join('\n');
      document.head.append(style);
    }
  }

  /**
   * @param {string} name
   * @param {object} data
   */
  post(name, data) {
    window.parent.postMessage({ protocol: PROTOCOL, kind: 'event', name, data }, this.parentOrigin);
  }

  /**
   * @param {number} id
   * @param {boolean} ok
   * @param {object} [extra]
   */
  answer(id, ok, extra = {}) {
    window.parent.postMessage({ protocol: PROTOCOL, kind: 'result', id, ok, ...extra }, this.parentOrigin);
  }

  /** @param {MessageEvent} e */
  receive(e) {
    // Commands from the parent window, of the allowed origin it named, only: not from other frames or windows
    // (an opener, a popup, a sibling frame), whatever they claim.
    if (e.source !== window.parent || e.origin !== this.parentOrigin) return;
    const m = e.data;
    if (!m || typeof m !== 'object' || m.protocol !== PROTOCOL || m.kind !== 'command' || !Number.isInteger(m.id)
      || typeof m.name !== 'string') return;
    const args = m.args && typeof m.args === 'object' ? m.args : {};
    this.run(m.name, args).then(
      (data) => this.answer(m.id, true, { data: data || {} }),
      (err) => this.answer(m.id, false, { code: err.code || 'failed', message: String(err.message || err) }));
  }

  /**
   * @param {string} name
   * @param {any} args
   * @returns {Promise<object | void>}
   */
  async run(name, args) {
    const refuse = (/** @type {string} */ code, /** @type {string} */ message) => Object.assign(new Error(message), { code });
    const meeting = this.meeting;
    if (!meeting || meeting.ended) throw refuse('not_joined', 'Not in the meeting (wait for the joined event).');
    const text = (/** @type {any} */ v, /** @type {string} */ field) => {
      if (typeof v !== 'string' || v.trim() === '') throw refuse('invalid', `${field} must be a non-empty string.`);
      return v;
    };
    switch (name) {
      case 'mute': return meeting.setAudioMuted(true);
      case 'unmute':
        if (meeting.stream.getAudioTracks().length === 0) throw refuse('no_microphone', 'No microphone is available.');
        return meeting.setAudioMuted(false);
      case 'muteVideo': return meeting.setVideoMuted(true);
      case 'unmuteVideo':
        if (meeting.stream.getVideoTracks().length === 0) throw refuse('no_camera', 'No camera is available.');
        return meeting.setVideoMuted(false);
      case 'leave': return meeting.leave();
      case 'startScreenShare':
        if (!meeting.screen) await meeting.toggleScreen();
        if (!meeting.screen) throw refuse('screen_share_failed', 'The screen share did not start.');
        return undefined;
      case 'stopScreenShare': return meeting.stopScreen();
      case 'sendChat': return meeting.signaling.send({ type: 'chat', text: text(args.text, 'text') });
      case 'setDisplayName': return meeting.signaling.send({ type: 'setName', name: text(args.name, 'name') });
      case 'startRecording':
        // As the settings panel's Start recording does; the node says no (an error event) when not allowed.
        return meeting.signaling.send({ type: 'startRecording',
          output: args.output === 'track' ? 'track' : 'composite', layout: args.layout === 'speaker' ? 'speaker' : 'grid' });
      case 'stopRecording':
        if (!meeting.recording) throw refuse('not_recording', 'The meeting is not being recorded.');
        return meeting.signaling.send({ type: 'stopRecording', egressId: meeting.recording.egressId });
      default: throw refuse('unknown_command', `No such command: ${name}`);
    }
  }

  /**
   * The meeting started: tell the host page, and from now on every change it should hear of.
   * @param {any} meeting
   */
  attach(meeting) {
    this.meeting = meeting;
    const s = meeting.signaling;
    const me = meeting.participants.get(meeting.myId);
    this.post('joined', { participantId: meeting.myId, displayName: me?.displayName ?? null, role: meeting.role,
      room: meeting.roomId });
    this.roster([...meeting.participants.values()]);
    if (meeting.recording) this.post('recordingStatus', { active: true, ...meeting.recording });
    s.on('roster', (/** @type {any} */ m) => this.roster(m.participants));
    s.on('rosterDelta', (/** @type {any} */ m) => {
      const next = new Map(this.people);
      for (const p of m.participants) next.set(p.id, p);
      for (const id of m.left) next.delete(id);
      this.roster([...next.values()]);
    });
    s.on('chat', (/** @type {any} */ m) => {
      const c = m.message;
      if (c.from === this.meeting.myId) return;
      this.post('chatReceived', { from: c.from, fromName: c.fromName, text: c.text, private: !!c.to,
        sentAtMillis: c.sentAtMillis });
    });
    s.on('dominantSpeaker', (/** @type {any} */ m) => this.post('dominantSpeakerChanged', { participantId: m.participantId }));
    s.on('recording', (/** @type {any} */ m) => this.post('recordingStatus', m.active
      ? { active: true, ...m.recording, reason: m.reason || null } : { active: false, reason: m.reason || null }));
    s.on('error', (/** @type {any} */ m) => this.post('error', { code: m.code, message: m.message }));
    s.on('resumed', (/** @type {any} */ m) => this.roster(m.room.participants));
    this.watchScreen(meeting);
  }

  /**
   * Tells the host page who came, went or changed since the roster it last heard.
   * @param {Person[]} participants
   */
  roster(participants) {
    const next = new Map(participants.map((p) => [p.id, p]));
    const local = (/** @type {string} */ id) => id === this.meeting.myId;
    for (const p of next.values()) {
      const before = this.people.get(p.id);
      if (!before) {
        if (!local(p.id)) this.post('participantJoined', { participantId: p.id, displayName: p.displayName, role: p.role });
        continue;
      }
      if (before.displayName !== p.displayName) {
        this.post('displayNameChanged', { participantId: p.id, displayName: p.displayName, local: local(p.id) });
      }
      if (before.audioMuted !== p.audioMuted) {
        this.post('audioMuteStatusChanged', { participantId: p.id, muted: p.audioMuted, local: local(p.id) });
      }
      if (before.videoMuted !== p.videoMuted) {
        this.post('videoMuteStatusChanged', { participantId: p.id, muted: p.videoMuted, local: local(p.id) });
      }
    }
    for (const p of this.people.values()) {
      if (!next.has(p.id) && !local(p.id)) this.post('participantLeft', { participantId: p.id, displayName: p.displayName });
    }
    this.people = next;
  }

  /** The local screen share's state, as the Meeting keeps it (its screen field), polled on its button's changes. */
  watchScreen(/** @type {any} */ meeting) {
    let sharing = false;
    const check = () => {
      const now = !!meeting.screen;
      if (now !== sharing) {
        sharing = now;
        this.post('screenShareStatusChanged', { sharing: now });
      }
    };
    new MutationObserver(check).observe(meeting.screenButton, { attributes: true, attributeFilter: ['aria-pressed'] });
  }

  /**
   * The meeting is over for this page (left, removed, ended, or the connection lost).
   * @param {string} reason
   */
  ended(reason) {
    if (this.left) return;
    this.left = true;
    this.post('left', { reason: reason || 'left' });
  }

  /**
   * The room did not let us in.
   * @param {{code: string, message?: string}} refusal
   */
  refused(refusal) {
    this.post('error', { code: refusal.code, message: refusal.message || refusal.code });
  }
}

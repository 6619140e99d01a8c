// Lunar Chat's iframe API (docs/embed.md), served by the node as a classic script (/external_api.js, which defines
// window.LunarChat) and as an ES module (/external_api.mjs, which exports Meeting): EmbedScripts wraps this file.
//   <script src="https://meet.example.com/external_api.js"></script>
//   const meeting = new LunarChat.Meeting(document.getElementById('meeting'), { room: 'town-hall', name: 'Ann' });
// or
//   import { Meeting } from 'https://meet.example.com/external_api.mjs';
// A page of another site embeds a meeting and talks to it over postMessage: commands in, events out. The node that
// served the script is the one the meeting runs on, unless options.url names another.
// @ts-check

/**
 * The API, for meetings on the node at {@code defaultOrigin} (null: each Meeting must name it in options.url).
 * @param {string | null} defaultOrigin
 */
function lunarChatApi(defaultOrigin) {
  'use strict';

  const ROOM = /^[A-Za-z0-9._-]{1,64}$/;
  /** What the embedded meeting sends; anything else is ignored. */
  const EVENTS = new Set(['ready', 'joined', 'left', 'participantJoined', 'participantLeft', 'displayNameChanged',
    'audioMuteStatusChanged', 'videoMuteStatusChanged', 'chatReceived', 'dominantSpeakerChanged', 'recordingStatus',
    'screenShareStatusChanged', 'error']);
  /** How long a command waits for the meeting's answer. */
  const ANSWER_TIMEOUT_MS = 30000;
  const PROTOCOL = 'lchat-embed';

  /**
   * @typedef {{ room: string, name?: string, token?: string, lang?: string, features?: Record<string, boolean>,
   *   hideBranding?: boolean, startAudioMuted?: boolean, startVideoMuted?: boolean, url?: string, title?: string,
   *   width?: string, height?: string }} MeetingOptions
   */

  /** One embedded meeting: an iframe of the node's meeting page for a room, and the messages to and from it. */
  class Meeting {
    /**
     * @param {Element} element where the meeting's iframe goes
     * @param {MeetingOptions} options
     */
    constructor(element, options) {
      if (!(element instanceof Element)) throw new TypeError('LunarChat.Meeting needs an element to put the meeting in.');
      const o = options || /** @type {MeetingOptions} */ ({});
      if (typeof o.room !== 'string' || !ROOM.test(o.room)) {
        throw new TypeError('options.room: 1 to 64 letters, digits, ".", "_" or "-".');
      }
      const origin = o.url ? new URL(o.url, location.href).origin : defaultOrigin;
      if (!origin || !/^https?:\/\//.test(origin)) {
        throw new TypeError('options.url: the meeting server (https://...); it could not be told from the script.');
      }
      /** The node's origin: the only one whose messages are taken, and the only one commands are sent to. */
      this.origin = origin;
      /** @type {Map<string, Set<Function>>} */
      this.handlers = new Map();
      /** @type {Map<number, {resolve: Function, reject: Function, timer: any}>} */
      this.pending = new Map();
      /** Commands sent before the meeting page listens: sent when it says it is ready. */
      /** @type {Array<Function>} */
      this.waiting = [];
      this.ready = false;
      this.nextId = 1;
      this.disposed = false;
      // The meeting's options travel in the address's fragment, which the browser never sends to any server.
      const params = new URLSearchParams({ 'lchat-embed': '1', origin: location.origin });
      if (o.name) params.set('name', String(o.name));
      if (o.token) params.set('jwt', String(o.token));
      if (o.lang) params.set('lang', String(o.lang));
      if (o.features && typeof o.features === 'object') params.set('features', JSON.stringify(o.features));
      if (o.hideBranding) params.set('hideBranding', '1');
      if (o.startAudioMuted) params.set('startAudioMuted', '1');
      if (o.startVideoMuted) params.set('startVideoMuted', '1');
      const iframe = document.createElement('iframe');
      iframe.src = `${origin}/${encodeURIComponent(o.room)}#${params}`;
      iframe.allow = 'camera; microphone; display-capture; autoplay; fullscreen';
      iframe.title = o.title || 'Meeting';
      iframe.style.width = o.width || '100%';
      iframe.style.height = o.height || '100%';
      iframe.style.border = '0';
      /** @type {HTMLIFrameElement | null} */
      this.iframe = iframe;
      this.listener = (/** @type {MessageEvent} */ e) => this.receive(e);
      window.addEventListener('message', this.listener);
      element.appendChild(iframe);
    }

    /** @param {MessageEvent} e */
    receive(e) {
      // Only the meeting's own window, served by the node: another frame or window, or a page that navigated the
      // iframe elsewhere, is not the meeting.
      if (!this.iframe || e.source !== this.iframe.contentWindow || e.origin !== this.origin) return;
      const m = e.data;
      if (!m || typeof m !== 'object' || m.protocol !== PROTOCOL) return;
      if (m.kind === 'event' && typeof m.name === 'string' && EVENTS.has(m.name)) {
        const data = m.data && typeof m.data === 'object' ? m.data : {};
        if (m.name === 'ready' && !this.ready) {
          this.ready = true;
          this.waiting.splice(0).forEach((send) => send());
        }
        this.emit(m.name, data);
      } else if (m.kind === 'result' && Number.isInteger(m.id) && this.pending.has(m.id)) {
        const call = this.pending.get(m.id);
        this.pending.delete(m.id);
        clearTimeout(call.timer);
        if (m.ok) call.resolve(m.data && typeof m.data === 'object' ? m.data : {});
        else call.reject(Object.assign(new Error(typeof m.message === 'string' ? m.message : 'The meeting refused.'),
          { code: typeof m.code === 'string' ? m.code : 'refused' }));
      }
    }

    /**
     * @param {string} name
     * @param {object} data
     */
    emit(name, data) {
      for (const fn of [...(this.handlers.get(name) || [])]) {
        try {
          fn(data);
        } catch (err) {
          setTimeout(() => { throw err; }); // a host handler's error must not stop the others
        }
      }
    }

    /**
     * Calls {@code fn} with each event of this name (docs/embed.md lists them).
     * @param {string} name
     * @param {Function} fn
     */
    on(name, fn) {
      if (!EVENTS.has(name)) throw new TypeError(`No such event: ${name}`);
      if (!this.handlers.has(name)) this.handlers.set(name, new Set());
      this.handlers.get(name)?.add(fn);
      return this;
    }

    /**
     * @param {string} name
     * @param {Function} fn
     */
    off(name, fn) {
      this.handlers.get(name)?.delete(fn);
      return this;
    }

    /**
     * Sends a command; resolves when the meeting has carried it out, rejects (with a code) when it refused.
     * @param {string} name
     * @param {object} [args]
     * @returns {Promise<object>}
     */
    command(name, args = {}) {
      if (this.disposed) return Promise.reject(Object.assign(new Error('The meeting was disposed.'), { code: 'disposed' }));
      return new Promise((resolve, reject) => {
        const id = this.nextId++;
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(Object.assign(new Error(`The meeting did not answer ${name}.`), { code: 'timeout' }));
        }, ANSWER_TIMEOUT_MS);
        this.pending.set(id, { resolve, reject, timer });
        const send = () => {
          const target = this.iframe?.contentWindow;
          if (!target) return;
          const message = { protocol: PROTOCOL, kind: 'command', id, name, args };
          // A screen share needs the user's gesture, which belongs to this page: hand it to the meeting's frame
          // (Capability Delegation; browsers without it ignore the option and may then refuse the share).
          target.postMessage(message, name === 'startScreenShare'
            ? /** @type {any} */ ({ targetOrigin: this.origin, delegate: 'display-capture' }) : { targetOrigin: this.origin });
        };
        if (this.ready) send();
        else this.waiting.push(send);
      });
    }

    mute() { return this.command('mute'); }

    unmute() { return this.command('unmute'); }

    muteVideo() { return this.command('muteVideo'); }

    unmuteVideo() { return this.command('unmuteVideo'); }

    leave() { return this.command('leave'); }

    startScreenShare() { return this.command('startScreenShare'); }

    stopScreenShare() { return this.command('stopScreenShare'); }

    /** @param {string} text */
    sendChat(text) { return this.command('sendChat', { text: String(text) }); }

    /** @param {string} name */
    setDisplayName(name) { return this.command('setDisplayName', { name: String(name) }); }

    /** @param {{output?: string, layout?: string}} [options] */
    startRecording(options = {}) {
      return this.command('startRecording', { output: options.output, layout: options.layout });
    }

    stopRecording() { return this.command('stopRecording'); }

    /** Removes the meeting from the page (leaving it, as closing its tab would) and stops listening. */
    dispose() {
      if (this.disposed) return;
      this.disposed = true;
      window.removeEventListener('message', this.listener);
      for (const call of this.pending.values()) {
        clearTimeout(call.timer);
        call.reject(Object.assign(new Error('The meeting was disposed.'), { code: 'disposed' }));
      }
      this.pending.clear();
      this.waiting = [];
      this.handlers.clear();
      this.iframe?.remove();
      this.iframe = null;
    }
  }

  return { Meeting };
}

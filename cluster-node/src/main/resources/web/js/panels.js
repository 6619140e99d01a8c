// The side panels of a meeting: chat, participants (with lobby and moderator actions), room settings and the
// shared video.
import { h, clear } from './ui.js';

export class ChatPanel {
  constructor(meeting) {
    this.meeting = meeting;
    this.unread = 0;
    this.list = h('div', { class: 'content', testid: 'chat-list', 'aria-live': 'polite' });
    this.to = h('select', { 'aria-label': 'Send to', testid: 'chat-to' });
    this.input = h('input', { placeholder: 'Message', 'aria-label': 'Message', testid: 'chat-input', maxlength: 4000 });
    this.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.send(); });
    this.el = h('aside', { testid: 'chat-panel', 'aria-label': 'Chat' },
      h('h2', {}, 'Chat'), this.list,
      h('div', { class: 'row', style: 'padding:0.8em' }, this.to, this.input,
        h('button', { class: 'primary', testid: 'chat-send', onclick: () => this.send() }, 'Send')));
  }

  send() {
    const text = this.input.value.trim();
    if (!text) return;
    const to = this.to.value || undefined;
    this.meeting.signaling.send({ type: 'chat', text, to });
    this.input.value = '';
  }

  add(message) {
    const p = this.meeting.participants;
    const priv = !!message.to;
    const other = message.from === this.meeting.myId ? p.get(message.to)?.displayName : null;
    const from = priv ? (other ? `You to ${other} (private)` : `${message.fromName} (private)`) : message.fromName;
    this.list.append(h('div', { class: priv ? 'chat-message private' : 'chat-message', testid: 'chat-message',
      'data-private': String(priv) },
    h('div', { class: 'from' }, from), h('div', { class: 'text' }, message.text)));
    this.list.scrollTop = this.list.scrollHeight;
  }

  /** Recipients: everyone, or one participant for a private message. */
  refresh() {
    const current = this.to.value;
    clear(this.to).append(h('option', { value: '' }, 'Everyone'));
    const privateOn = this.meeting.mayUse('privateChat');
    for (const p of this.meeting.participants.values()) {
      if (p.id !== this.meeting.myId && privateOn) {
        this.to.append(h('option', { value: p.id, selected: p.id === current }, p.displayName));
      }
    }
    const chatOn = this.meeting.mayUse('chat');
    this.input.disabled = !chatOn;
    this.input.placeholder = chatOn ? 'Message'
      : this.meeting.settings.features?.chat === false ? 'Chat is turned off' : 'Your invitation does not include chat';
  }
}

export class PeoplePanel {
  constructor(meeting) {
    this.meeting = meeting;
    this.list = h('div', { class: 'content', testid: 'people-list' });
    this.el = h('aside', { testid: 'people-panel', 'aria-label': 'Participants' }, h('h2', {}, 'Participants'), this.list);
  }

  refresh() {
    const m = this.meeting;
    const mayControl = m.role === 'moderator' || m.settings.controllerMode;
    const isModerator = m.role === 'moderator';
    const items = [];
    // Everyone in the list is being recorded: said at its top, where people look to see who is here (consent).
    if (m.recording) {
      items.push(h('div', { class: 'person recording-entry', testid: 'roster-recording', role: 'status' },
        `● Recording${m.recording.startedBy ? `, started by ${m.recording.startedBy}` : ''}: everyone here is recorded`));
    }
    if (m.lobby.length > 0 && mayControl) {
      items.push(h('h3', {}, 'Waiting in the lobby'));
      for (const w of m.lobby) {
        items.push(h('div', { class: 'person', testid: 'lobby-entry', 'data-lobby-id': w.lobbyId },
          h('div', {}, w.displayName),
          h('div', { class: 'row actions' },
            h('button', { class: 'primary', testid: 'admit', onclick: () => m.signaling.send({ type: 'admit', lobbyId: w.lobbyId }) }, 'Admit'),
            h('button', { testid: 'deny', onclick: () => m.signaling.send({ type: 'deny', lobbyId: w.lobbyId }) }, 'Deny'))));
      }
    }
    const hands = m.hands;
    const everyone = [...m.participants.values()];
    const viewers = everyone.filter((p) => p.role === 'viewer');
    for (const p of everyone.filter((p) => p.role !== 'viewer')) {
      const me = p.id === m.myId;
      const handPos = hands.indexOf(p.id);
      const actions = [];
      if (!me && mayControl) {
        actions.push(h('button', { testid: 'mute-participant', disabled: p.audioMuted,
          onclick: () => m.signaling.send({ type: 'muteParticipant', target: p.id, kind: 'audio' }) }, 'Mute'));
        actions.push(h('button', { testid: 'stop-video-participant', disabled: p.videoMuted,
          onclick: () => m.signaling.send({ type: 'muteParticipant', target: p.id, kind: 'video' }) }, 'Stop video'));
        actions.push(this.removeButton(p));
      }
      if (!me && isModerator && p.role === 'participant') {
        actions.push(h('button', { testid: 'make-moderator', onclick: () => m.signaling.send({ type: 'grantModerator', target: p.id }) }, 'Make moderator'));
      }
      if (handPos >= 0 && (me || mayControl)) {
        actions.push(h('button', { testid: 'lower-hand', onclick: () => m.signaling.send(me ? { type: 'lowerHand' } : { type: 'lowerHand', target: p.id }) }, 'Lower hand'));
      }
      items.push(h('div', { class: 'person', testid: 'person', 'data-participant': p.id },
        h('div', {}, p.displayName, me ? ' (you)' : '', p.role === 'moderator' ? ' · moderator' : '',
          handPos >= 0 ? h('span', { testid: 'hand-position' }, ` ✋ ${handPos + 1}`) : '',
          p.audioMuted ? ' 🔇' : '', p.videoMuted ? ' 📷✕' : ''),
        actions.length ? h('div', { class: 'row actions' }, actions) : null));
    }
    // Viewers (receive-only: WHEP players, "viewer" joins) send nothing to mute; everyone sees who is watching.
    if (viewers.length > 0) {
      items.push(h('h3', { testid: 'viewers-heading' }, `Watching (${viewers.length})`));
      for (const p of viewers) {
        const me = p.id === m.myId;
        items.push(h('div', { class: 'person', testid: 'person', 'data-participant': p.id, 'data-viewer': 'true' },
          h('div', {}, p.displayName, me ? ' (you)' : '', ' · viewer'),
          !me && mayControl ? h('div', { class: 'row actions' }, this.removeButton(p)) : null));
      }
    }
    this.list.replaceChildren(...items);
  }

  removeButton(p) {
    const m = this.meeting;
    return h('button', { class: 'danger', testid: 'remove-participant',
      onclick: () => { if (confirm(`Remove ${p.displayName}?`)) m.signaling.send({ type: 'remove', target: p.id }); } }, 'Remove');
  }
}

/** What each room feature is called on screen (the protocol's flag names are for machines). */
const FEATURE_LABELS = {
  chat: 'Chat',
  privateChat: 'Private messages',
  screenshare: 'Screen sharing',
  recording: 'Recording',
  streaming: 'Live streaming',
  sharedVideo: 'Shared videos',
  presentation: 'Presentations (PDF or slides)',
  sharedPage: 'Shared web pages',
  raiseHand: 'Raising hands',
  p2p: 'Direct connection when only two are in the meeting',
};

export class SettingsPanel {
  constructor(meeting) {
    this.meeting = meeting;
    this.content = h('div', { class: 'content', testid: 'settings-content' });
    // Kept across refreshes, and redrawn alone when a listing comes: the controls around it keep what is typed.
    this.recordings = h('section', { testid: 'recordings', 'aria-label': 'Recordings' });
    this.el = h('aside', { testid: 'settings-panel', 'aria-label': 'Room settings' }, h('h2', {}, 'Room settings'), this.content);
  }

  refresh() {
    const m = this.meeting;
    const s = m.settings;
    const mod = m.role === 'moderator';
    const passcode = h('input', { type: 'password', placeholder: 'New passcode', 'aria-label': 'New passcode', testid: 'new-passcode' });
    const toggle = (label, testid, checked, send) => h('label', {},
      h('input', { type: 'checkbox', testid, checked, disabled: !mod, onchange: (e) => send(e.target.checked) }), label);
    const features = Object.entries(s.features || {}).map(([flag, on]) =>
      toggle(FEATURE_LABELS[flag] || flag, `feature-${flag}`, on, (v) => m.signaling.send({ type: 'setFeature', flag, enabled: v })));
    // replaceChildren prints a null as the word "null": the sections this user does not get are left out instead.
    this.content.replaceChildren(...[
      // Your own choice, not the room's: anyone may change it.
      m.quality ? m.quality.section() : null,
      mod ? null : h('p', { class: 'message' }, 'Only moderators can change these.'),
      h('div', {}, s.passcodeSet ? 'A passcode is set.' : 'No passcode.'),
      h('div', { class: 'row' }, passcode,
        h('button', { testid: 'set-passcode', disabled: !mod, onclick: () => { if (passcode.value) m.signaling.send({ type: 'setPasscode', passcode: passcode.value }); } }, 'Set'),
        h('button', { testid: 'clear-passcode', disabled: !mod || !s.passcodeSet, onclick: () => m.signaling.send({ type: 'setPasscode', passcode: null }) }, 'Clear')),
      toggle('Lobby: people wait until admitted', 'lobby-toggle', s.lobbyEnabled, (v) => m.signaling.send({ type: 'setLobby', enabled: v })),
      toggle('Controller mode: anyone may mute, remove and admit', 'controller-toggle', s.controllerMode, (v) => m.signaling.send({ type: 'setControllerMode', enabled: v })),
      h('label', {}, 'Videos each person receives (last-N) ',
        h('input', { type: 'number', min: 0, max: 100, step: 1, value: s.lastN ?? 25, testid: 'last-n', disabled: !mod,
          'aria-label': 'Videos each person receives',
          onchange: (e) => {
            const n = Number(e.target.value);
            if (Number.isInteger(n) && n >= 0 && n <= 100) m.signaling.send({ type: 'setLastN', lastN: n });
          } })),
      h('h3', {}, 'Features'), ...features,
      // A moderator records; so does someone whose invitation grants recording, and not one whose denies it.
      s.features?.recording || s.features?.streaming
        ? this.recordingControls(m, (mod || m.grants?.recording === true) && m.grants?.recording !== false, mod) : null,
      // Recordings made before the feature was turned off can still be downloaded.
      !s.features?.recording && mod && m.recordings?.length ? this.recordings : null].filter((c) => c));
    this.refreshRecordings();
  }

  /**
   * Whoever may record ({@code mayRecord}) starts and stops the room's recording: the meeting as one video, or each
   * track on its own; moderators also see the recordings.
   */
  recordingControls(m, mayRecord, mod) {
    const rec = m.recording;
    const output = h('select', { testid: 'recording-output', 'aria-label': 'What to record', disabled: !mayRecord || !!rec },
      h('option', { value: 'composite:grid' }, 'The meeting, grid'),
      h('option', { value: 'composite:speaker' }, 'The meeting, speaker on stage'),
      h('option', { value: 'track:grid' }, 'Each person\'s audio and video'));
    const features = m.settings.features || {};
    // Live streaming (the room's streaming feature): the meeting's picture to an RTMP server and/or as HLS.
    const rtmp = features.streaming ? h('input', { type: 'url', placeholder: 'rtmps://… stream URL (optional)', testid: 'recording-rtmp', 'aria-label': 'Stream live to this RTMP URL', disabled: !mayRecord || !!rec }) : null;
    const hls = features.streaming ? h('input', { type: 'checkbox', testid: 'recording-hls', disabled: !mayRecord || !!rec }) : null;
    if (!features.recording) output.value = 'composite:grid';
    const start = () => {
      const [kind, layout] = output.value.split(':');
      const live = kind === 'composite' && (rtmp?.value || hls?.checked);
      m.signaling.send({ type: 'startRecording', output: kind, layout,
        ...(live && rtmp.value ? { rtmp: [rtmp.value.trim()] } : {}), ...(live && hls.checked ? { hls: true } : {}),
        // Without the recording feature a composite only streams; it keeps no file.
        ...(features.recording ? {} : { file: false }) });
    };
    return h('div', {}, h('h3', {}, features.recording ? 'Recording' : 'Live streaming'),
      features.streaming ? h('div', { class: 'row' }, rtmp, h('label', {}, hls, 'Publish HLS')) : null,
      h('div', { class: 'row' }, output, rec
        ? h('button', { class: 'danger', testid: 'recording-stop', disabled: !mayRecord, onclick: () => m.signaling.send({ type: 'stopRecording', egressId: rec.egressId }) }, 'Stop recording')
        : h('button', { class: 'primary', testid: 'recording-start', disabled: !mayRecord, onclick: start }, 'Start recording')),
      mod ? this.recordings : null);
  }

  /**
   * The room's recordings, for moderators: each finished one with its files as download links (valid for a few
   * minutes from the listing, which is asked for again whenever the panel opens or a recording ends), running ones
   * marked as such.
   */
  refreshRecordings() {
    const m = this.meeting;
    const list = m.recordings;
    const body = list === null
      ? h('p', { class: 'message', testid: 'recordings-loading' }, 'Loading recordings…')
      : list.length === 0
        ? h('p', { class: 'message', testid: 'recordings-empty' }, 'No recordings yet.')
        : h('ul', { class: 'recordings', testid: 'recording-list', 'aria-label': 'Recordings' },
          list.map((r) => SettingsPanel.recordingItem(m, r)));
    this.recordings.replaceChildren(h('h4', {}, 'Recordings'), body);
  }

  static recordingItem(m, r) {
    const when = new Date(r.startedAtMillis).toLocaleString();
    const what = r.type === 'track' ? 'Each person\'s audio and video' : 'The meeting';
    const running = r.status !== 'ended';
    const state = running
      ? h('span', { class: 'recording-running', testid: 'recording-running' },
        m.recording?.egressId === r.egressId ? '● Recording' : 'Finishing…')
      : r.reason && r.reason !== 'stopped' ? h('span', { class: 'message' }, `Ended: ${r.reason.replace(/_/g, ' ')}`) : null;
    const files = r.files.map((f) => {
      const href = m.downloadUrl(f.downloadUrl);
      const label = SettingsPanel.describeFile(f);
      return h('li', {}, href
        ? h('a', { href, download: f.name, testid: 'recording-file', 'data-kind': f.kind, 'aria-label': `Download ${label}` }, label)
        : label);
    });
    return h('li', { class: 'recording', testid: 'recording-item', 'data-egress-id': r.egressId, 'data-status': r.status },
      h('div', {}, h('span', {}, `${what} · ${when}`), ' ', state),
      files.length ? h('ul', { class: 'recording-files', 'aria-label': 'Files' }, files)
        : running ? null : h('div', { class: 'message' }, 'No files were written.'));
  }

  /** "Ann · audio · 1.2 MB · 0:42": whose track (a composite is everyone's), what it holds, how big and long. */
  static describeFile(f) {
    const size = f.sizeBytes >= 1e6 ? `${(f.sizeBytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(f.sizeBytes / 1e3))} kB`;
    const secs = Math.round(f.durationSeconds);
    const length = secs >= 0 ? ` · ${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}` : '';
    const kind = f.kind === 'composite' ? 'the meeting' : f.kind;
    return `${f.displayName ? `${f.displayName} · ` : ''}${kind} · ${size}${length}`;
  }
}

/** A shared video everyone watches in step: the room holds url, playing and position; every client follows it. */
export class SharedVideoPanel {
  constructor(meeting) {
    this.meeting = meeting;
    this.url = h('input', { type: 'url', placeholder: 'YouTube or video link', 'aria-label': 'Video link', testid: 'shared-url' });
    this.player = h('div', { class: 'shared-video', testid: 'shared-video' });
    this.status = h('div', { class: 'message', testid: 'shared-video-state' }, 'Nothing shared.');
    this.applying = false;
    this.el = h('aside', { testid: 'shared-panel', 'aria-label': 'Shared video' }, h('h2', {}, 'Shared video'),
      h('div', { class: 'content' },
        h('div', { class: 'row' }, this.url,
          h('button', { class: 'primary', testid: 'shared-start', onclick: () => this.start() }, 'Share')),
        this.player, this.status,
        this.controls = h('div', { class: 'row' },
          h('button', { testid: 'shared-play', onclick: () => this.command('play') }, 'Play'),
          h('button', { testid: 'shared-pause', onclick: () => this.command('pause') }, 'Pause'),
          h('button', { testid: 'shared-seek', onclick: () => this.command('seek', this.position() + 10) }, '+10 s'),
          h('button', { class: 'danger', testid: 'shared-stop', onclick: () => this.command('stop') }, 'Stop'))));
    this.state = { url: null, playing: false, positionSeconds: 0, updatedAtMillis: 0 };
    this.element = null;
  }

  /** The room lets the person who shared the video, and moderators, control it. */
  refresh() {
    const m = this.meeting;
    const controls = !!this.state.url && (m.role === 'moderator' || this.state.controlledBy === m.myId);
    for (const b of this.controls.querySelectorAll('button')) b.disabled = !controls;
  }

  start() {
    const url = this.url.value.trim();
    if (url) this.meeting.signaling.send({ type: 'sharedVideo', action: 'start', url });
  }

  /** The room's position now: positionSeconds advanced by the time since the update while playing. */
  position() {
    const s = this.state;
    return s.playing ? s.positionSeconds + (Date.now() - s.updatedAtMillis) / 1000 : s.positionSeconds;
  }

  command(action, position = this.position()) {
    this.meeting.signaling.send({ type: 'sharedVideo', action, position: Math.max(0, position) });
  }

  static youtubeId(url) {
    const m = /(?:youtube\.com\/(?:watch\?v=|embed\/)|youtu\.be\/)([A-Za-z0-9_-]{6,})/.exec(url || '');
    return m ? m[1] : null;
  }

  apply(state) {
    const urlChanged = state.url !== this.state.url;
    this.state = state;
    if (urlChanged) {
      clear(this.player);
      this.element = null;
      const yt = SharedVideoPanel.youtubeId(state.url);
      if (yt) {
        this.element = h('iframe', { src: `https://www.youtube-nocookie.com/embed/${yt}?enablejsapi=1&controls=0`,
          allow: 'autoplay; encrypted-media', title: 'Shared video' });
      } else if (state.url) {
        this.element = h('video', { src: state.url, playsInline: true, muted: true, controls: true });
        // A local seek or pause by this viewer becomes the room's state.
        this.element.addEventListener('pause', () => { if (!this.applying && this.state.playing) this.command('pause', this.element.currentTime); });
        this.element.addEventListener('play', () => { if (!this.applying && !this.state.playing) this.command('play', this.element.currentTime); });
      }
      if (this.element) this.player.append(this.element);
    }
    this.sync();
    this.status.textContent = state.url
      ? `${state.playing ? 'Playing' : 'Paused'} at ${Math.round(this.position())} s`
      : 'Nothing shared.';
    this.status.dataset.playing = String(state.playing);
    this.status.dataset.url = state.url || '';
    this.status.dataset.position = String(Math.round(state.positionSeconds));
    const by = this.meeting.participants.get(state.controlledBy)?.displayName;
    if (state.url && by) this.status.textContent += ` · controlled by ${by}`;
    this.refresh();
  }

  sync() {
    const el = this.element;
    if (!el) return;
    this.applying = true;
    try {
      if (el.tagName === 'VIDEO') {
        if (Math.abs(el.currentTime - this.position()) > 1) el.currentTime = this.position();
        if (this.state.playing && el.paused) el.play().catch(() => {});
        if (!this.state.playing && !el.paused) el.pause();
      } else {
        const post = (func, args = []) => el.contentWindow?.postMessage(JSON.stringify({ event: 'command', func, args }), '*');
        post('seekTo', [this.position(), true]);
        post(this.state.playing ? 'playVideo' : 'pauseVideo');
      }
    } finally {
      setTimeout(() => { this.applying = false; }, 100);
    }
  }
}

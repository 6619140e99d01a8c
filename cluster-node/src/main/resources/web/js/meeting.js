// A meeting in progress: room state from the signaling events, media through the node's router, and the view
// (tiles, side panels, toolbar).
import { MediaSession } from './media.js';
import { h, clear, toast } from './ui.js';
import { Tiles } from './tiles.js';
import { ChatPanel, PeoplePanel, SettingsPanel, SharedVideoPanel } from './panels.js';
import { ConnectionStats } from './stats.js';
import { PeerCall } from './p2p.js';
import { Presentation } from './presentation.js';
import { SharedPage } from './shared-page.js';
import { VideoQuality } from './quality.js';

/** A toolbar button's visible text and accessible name. */
function label(button, text) {
  button.querySelector('.text').textContent = text;
  button.setAttribute('aria-label', text);
}

export class Meeting {
  constructor(app, signaling, joined, stream, { branding, startMuted, startVideoOff, e2ee, onEnd }) {
    this.e2ee = e2ee;
    this.app = app;
    this.signaling = signaling;
    this.branding = branding;
    this.onEnd = onEnd;
    this.stream = stream;
    this.myId = joined.participantId;
    this.role = joined.role;
    /** What the participant's invitation allows (null: no invitation, or one that restricts nothing). */
    this.grants = joined.grants || null;
    const room = joined.room;
    this.roomId = room.roomId;
    /** The running recording ({egressId, startedBy, startedAtMillis}) or null: shown to everyone, late joiners too. */
    this.recording = room.recording || null;
    /** The room's recordings as a moderator's last listRecordings listed them; null until listed. */
    this.recordings = null;
    /** A recording that stopped and whose files the list does not show yet (they are still being finalised). */
    this.recordingFinishing = null;
    this.recordingsRetry = null;
    this.recordingsRetries = 0;
    this.participants = new Map(room.participants.map((p) => [p.id, p]));
    this.settings = room.settings;
    this.hands = room.hands || [];
    this.dominantSpeaker = room.dominantSpeaker;
    this.lobby = [];
    this.audioMuted = !!startMuted || stream.getAudioTracks().length === 0;
    this.videoMuted = !!startVideoOff || stream.getVideoTracks().length === 0;
    this.pushToTalk = false;
    this.screen = null; // { stream, transceivers }
    this.remoteVideo = new Map(); // participantId -> Map("via:mid" -> { mid, track, via })
    this.mode = 'none'; // 'p2p' (two people, direct), 'bridge' (through the node's media router) or not yet sending
    this.p2p = null;
    this.peerInbox = [];
    this.audioSinks = h('div', { class: 'hidden', testid: 'audio-sinks' });
    this.tiles = new Tiles(this);
    this.chat = new ChatPanel(this);
    this.people = new PeoplePanel(this);
    this.settingsPanel = new SettingsPanel(this);
    this.shared = new SharedVideoPanel(this);
    this.presentation = new Presentation(this);
    /** The presentation on stage when we joined (late joiners land on its current page). */
    this.joinedPresentation = room.presentation || null;
    this.sharedPage = new SharedPage(this);
    /** The web page on stage when we joined (late joiners see it too). */
    this.joinedSharedPage = room.sharedPage || null;
    this.panel = null;
    this.stats = new ConnectionStats(this);
    for (const m of room.chatHistory || []) this.chat.add(m);
    if (room.sharedVideo?.url) this.shared.apply(room.sharedVideo);
    /** What we send and receive (audio only, low, standard, HD), kept in this browser. */
    this.quality = new VideoQuality(this);
    // STUN/TURN servers with this participant's TURN credentials (docs/protocol.md), for both media paths.
    this.iceServers = joined.iceServers || [];
    this.media = new MediaSession(signaling, {
      iceServers: this.iceServers,
      onTrack: (pid, track, stream, mid, trackId) => this.remoteTrack(pid, track, Meeting.midOf(trackId), 'bridge'),
      onTrackEnded: (pid, track, mid, trackId) => this.remoteTrackEnded(pid, track, Meeting.midOf(trackId), 'bridge'),
      transform: e2ee,
      encodings: (list, track) => this.quality.initialEncodings(list, track),
    });
  }

  async start() {
    this.render();
    this.listen();
    if (this.joinedPresentation) this.presentation.apply(this.joinedPresentation);
    if (this.joinedSharedPage) this.sharedPage.apply(this.joinedSharedPage);
    this.applyLocalMute();
    if (this.audioMuted || this.videoOff()) {
      this.signaling.send({ type: 'mute', audio: this.audioMuted, video: this.videoOff() });
    }
    await this.chooseMode();
    this.stats.start();
    this.keyboard();
  }

  // ---- view ----------------------------------------------------------------------------------------------------

  render() {
    const b = this.branding;
    const button = (testid, icon, text, onclick, extra = {}) => h('button', { testid, onclick, 'aria-label': text, ...extra },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), h('span', { class: 'text' }, text));
    this.micButton = button('toggle-mic', '🎤', 'Mute', () => this.setAudioMuted(!this.audioMuted), { 'aria-pressed': 'false' });
    this.camButton = button('toggle-camera', '🎥', 'Stop camera', () => this.setVideoMuted(!this.videoMuted), { 'aria-pressed': 'false' });
    this.screenButton = button('toggle-screen', '🖥', 'Share screen', () => this.toggleScreen(), { 'aria-pressed': 'false' });
    this.presentButton = button('present-pdf', '📄', 'Present a PDF or slides', () => this.presentation.choose());
    this.sharePageButton = button('share-page', '🌐', 'Share a web page', () => this.sharedPage.choose());
    this.handButton = button('toggle-hand', '✋', 'Raise hand', () => this.toggleHand(), { 'aria-pressed': 'false' });
    this.chatBadge = h('span', { class: 'badge hidden', testid: 'chat-unread' });
    this.chatButton = button('open-chat', '💬', 'Chat', () => this.openPanel('chat'));
    this.chatButton.append(this.chatBadge);
    this.peopleButton = button('open-people', '👥', 'People', () => this.openPanel('people'));
    this.lobbyBadge = h('span', { class: 'badge hidden', testid: 'lobby-count' });
    this.peopleButton.append(this.lobbyBadge);
    this.layoutButton = button('toggle-layout', '▦', 'Stage view', () => this.toggleLayout());
    this.count = h('span', { testid: 'participant-count' });
    this.connection = h('span', { class: 'connection hidden', role: 'status', testid: 'connection-status' }, 'Reconnecting…');
    this.sidebar = h('div', { class: 'sidebar', testid: 'sidebar' });
    this.app.replaceChildren(h('div', { class: 'meeting', testid: 'meeting' },
      h('header', {},
        h('div', { class: 'brand' }, b.logoUrl ? h('img', { src: b.logoUrl, alt: '' }) : null, h('span', {}, b.productName)),
        h('span', { class: 'room', testid: 'room-name' }, this.roomId),
        this.count,
        this.connection,
        this.recordingBadge = h('span', { class: 'recording-indicator' + (this.recording ? '' : ' hidden'), role: 'status', testid: 'recording-indicator', title: 'This meeting is being recorded' }, '● REC Recording'),
        this.e2ee ? h('span', { testid: 'e2ee-indicator', title: 'Media is encrypted end to end with your passphrase' }, '🔒 End-to-end encrypted') : null,
        h('button', { testid: 'copy-link', onclick: () => navigator.clipboard?.writeText(location.href).then(() => toast('Link copied')).catch(() => toast(location.href)) }, 'Copy link')),
      h('div', { class: 'body' }, this.tiles.area, this.sidebar),
      h('footer', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Meeting controls' },
        this.micButton, this.camButton, this.screenButton, this.presentButton, this.sharePageButton, this.handButton, this.chatButton, this.peopleButton,
        button('open-settings', '⚙', 'Settings', () => this.openPanel('settings')),
        button('open-shared', '▶', 'Shared video', () => this.openPanel('shared')),
        this.layoutButton,
        button('leave', '✆', 'Leave', () => this.leave(), { class: 'danger' }))),
    this.audioSinks, this.presentation.file, this.sharedPage.dialog.el);
    const me = this.tiles.ensure(`${this.myId}:camera`, this.myId, 'camera');
    me.video.classList.add('mirror');
    this.tiles.setTrack(me.key, this.stream.getVideoTracks()[0] || null);
    this.refresh();
  }

  /** Everything that depends on the roster, role or settings. */
  refresh() {
    for (const p of this.participants.values()) {
      if (p.role === 'viewer') continue;
      if (p.id === this.myId) this.tiles.ensure(`${p.id}:camera`, p.id, 'camera');
      else this.placeVideos(p.id);
    }
    for (const t of [...this.tiles.tiles.values()]) {
      if (!this.participants.has(t.participantId)) this.tiles.remove(t.key);
    }
    this.tiles.refreshAll();
    this.count.textContent = `${this.participants.size} in the meeting`;
    this.micButton.setAttribute('aria-pressed', String(this.audioMuted));
    label(this.micButton, this.audioMuted ? 'Unmute' : 'Mute');
    this.camButton.setAttribute('aria-pressed', String(this.videoMuted));
    label(this.camButton, this.videoMuted ? 'Start camera' : 'Stop camera');
    this.camButton.disabled = !this.quality.sendsVideo(); // audio only, in the video quality settings
    this.screenButton.disabled = !this.mayUse('screenshare') || this.role === 'viewer';
    this.handButton.disabled = !this.mayUse('raiseHand');
    this.presentButton.disabled = !this.mayUse('presentation') || this.role === 'viewer';
    // Only where the room (and our invitation) allows sharing pages: with the server's allow-list empty it never does.
    this.sharePageButton.classList.toggle('hidden', !this.mayUse('sharedPage') || this.role === 'viewer');
    const raised = this.hands.includes(this.myId);
    this.handButton.setAttribute('aria-pressed', String(raised));
    label(this.handButton, raised ? 'Lower hand' : 'Raise hand');
    this.chatButton.disabled = !this.mayUse('chat');
    const mayAdmit = this.role === 'moderator' || this.settings.controllerMode;
    this.lobbyBadge.textContent = String(this.lobby.length);
    this.lobbyBadge.classList.toggle('hidden', !mayAdmit || this.lobby.length === 0);
    this.chat.refresh();
    this.people.refresh();
    this.settingsPanel.refresh();
    this.shared.refresh();
    this.presentation.refresh();
    this.sharedPage.refresh();
  }

  /**
   * Whether we may use a feature: the room has it on and our invitation (join token) does not deny it. The node
   * enforces the same rule (docs/protocol.md): this only keeps us from asking for what it would refuse.
   */
  mayUse(feature) {
    return this.settings.features?.[feature] !== false && this.grants?.[feature] !== false;
  }

  openPanel(name) {
    const panels = { chat: this.chat, people: this.people, settings: this.settingsPanel, shared: this.shared };
    const next = this.panel === name ? null : name;
    this.panel = next;
    clear(this.sidebar);
    if (next) this.sidebar.append(panels[next].el);
    if (next === 'settings') this.listRecordings();
    if (next === 'chat') {
      this.chat.unread = 0;
      this.chatBadge.classList.add('hidden');
      this.chat.input.focus();
    }
  }

  toggleLayout() {
    const next = this.tiles.layout === 'tile' ? 'stage' : 'tile';
    this.tiles.setLayout(next);
    label(this.layoutButton, next === 'tile' ? 'Stage view' : 'Tile view');
  }

  // ---- signaling -----------------------------------------------------------------------------------------------

  rosterUpdated() {
    const me = this.participants.get(this.myId);
    if (me) this.role = me.role;
    this.refresh();
    this.chooseMode();
  }

  listen() {
    const s = this.signaling;
    s.on('roster', (m) => {
      this.participants = new Map(m.participants.map((p) => [p.id, p]));
      this.rosterUpdated();
    });
    // A large room sends only what changed: newcomers and changes replace by id (a Map keeps join order).
    s.on('rosterDelta', (m) => {
      for (const p of m.participants) this.participants.set(p.id, p);
      for (const id of m.left) this.participants.delete(id);
      this.rosterUpdated();
    });
    s.on('peer', (m) => this.onPeer(m));
    s.on('recording', (m) => {
      if (!m.active && this.recording) this.recordingFinishing = this.recording.egressId;
      // 'moved': the same recording goes on from another node (the one it ran on is leaving); nothing to announce.
      const continued = m.active && m.reason === 'moved' && this.recording;
      if (continued) this.recordingFinishing = this.recording.egressId;
      this.recording = m.active ? m.recording : null;
      this.recordingBadge?.classList.toggle('hidden', !this.recording);
      if (!continued) toast(m.active ? `Recording started${m.recording.startedBy ? ` by ${m.recording.startedBy}` : ''}: everyone in the meeting is being recorded.` : 'Recording stopped.');
      this.refresh();
      this.listRecordings();
      if (m.active) this.chooseMode();
    });
    s.on('recordings', (m) => this.recordingsListed(Array.isArray(m.recordings) ? m.recordings : []));
    s.on('role', (m) => {
      this.role = m.role;
      toast(`You are now ${m.role === 'moderator' ? 'a moderator' : m.role}.`);
      this.refresh();
      if (this.panel === 'settings') this.listRecordings();
    });
    s.on('hands', (m) => { this.hands = m.queue; this.refresh(); });
    s.on('settings', (m) => {
      this.settings = m.settings;
      if (this.screen && !this.mayUse('screenshare')) {
        // The node no longer forwards it: stop sending it too.
        this.stopScreen();
        toast('Screen sharing was turned off in this meeting.');
      }
      this.refresh();
      this.chooseMode();
    });
    s.on('lobbyChanged', (m) => {
      const before = this.lobby.length;
      this.lobby = m.waiting;
      if (this.lobby.length > before) toast(`${this.lobby[this.lobby.length - 1].displayName} is waiting in the lobby.`);
      this.refresh();
    });
    s.on('chat', (m) => {
      this.chat.add(m.message);
      if (this.panel !== 'chat' && m.message.from !== this.myId) {
        this.chat.unread++;
        this.chatBadge.textContent = String(this.chat.unread);
        this.chatBadge.classList.remove('hidden');
      }
    });
    s.on('dominantSpeaker', (m) => { this.dominantSpeaker = m.participantId; this.tiles.refreshAll(); });
    s.on('sharedVideo', (m) => {
      this.shared.apply(m.state);
      if (m.state.url && this.panel !== 'shared') this.openPanel('shared');
    });
    s.on('presentation', (m) => this.presentation.apply(m.presentation || null));
    s.on('sharedPage', (m) => this.sharedPage.apply(m.page || null));
    s.on('muteRequest', (m) => {
      const by = this.participants.get(m.by)?.displayName || 'A moderator';
      if (m.kind === 'audio') {
        this.audioMuted = true;
        this.pushToTalk = false;
      } else {
        this.videoMuted = true;
      }
      this.applyLocalMute();
      toast(`${by} turned off your ${m.kind === 'audio' ? 'microphone' : 'camera'}.`);
      this.refresh();
    });
    s.on('removed', (m) => {
      const by = this.participants.get(m.by)?.displayName || 'A moderator';
      this.end(`${by} removed you from the meeting.`, 'removed');
    });
    s.on('ended', () => this.end('The meeting was ended by its organiser.', 'ended'));
    // Data from the service's back end (server API): for a page that embeds the client, as a DOM event.
    s.on('data', (m) => window.dispatchEvent(new CustomEvent('lchat:data', { detail: { topic: m.topic, payload: m.payload } })));
    // A refusal while our page share waits for the room is that share's: its prompt says why (errors name no command).
    s.on('error', (m) => { if (!this.sharedPage.refused(m.message || m.code)) toast(m.message || m.code); });
    s.on('reconnecting', (m) => {
      this.reconnecting = true;
      if (m.attempt === 1) toast('Connection lost. Reconnecting…');
      document.body.dataset.connection = 'reconnecting';
      this.connection.classList.remove('hidden');
    });
    s.on('refused', (m) => {
      // The room would not take us back (removed meanwhile, or it ended and another stands in its place).
      if (this.reconnecting) this.end(`You could not rejoin the meeting: ${m.message || m.code}`, m.code);
    });
    s.on('resumed', (m) => this.backInTheRoom(m));
    s.on('joined', (m) => {
      // A join while reconnecting that the room could not match to us (it had already let our old self go: our
      // node was removed before we got back, or the room itself came back from a crash) makes us a new
      // participant: take the new id, tell the room our mute state and publish again.
      if (!this.reconnecting) return;
      this.myId = m.participantId;
      this.backInTheRoom(m);
      this.signaling.send({ type: 'mute', audio: this.audioMuted, video: this.videoOff() });
      if (this.mode === 'bridge') this.media.queue('rejoin', () => this.media.moved());
      this.chooseMode();
    });
    this.media.onRepublished = (map) => {
      if (this.screen?.via === this.media) this.screen.transceivers = this.screen.transceivers.map((t) => map.get(t) || t);
    };
    s.on('closed', () => { if (!this.ended) this.end('The connection to the meeting was lost.', 'disconnected'); });
  }

  /** Our connection moved to another node, or came back: take the room's latest state. */
  backInTheRoom(m) {
    if (this.reconnecting) toast('Reconnected.');
    this.reconnecting = false;
    document.body.dataset.connection = 'connected';
    this.connection.classList.add('hidden');
    this.participants = new Map(m.room.participants.map((p) => [p.id, p]));
    this.role = m.role;
    this.hands = m.room.hands || [];
    this.recording = m.room.recording || null;
    this.recordingBadge?.classList.toggle('hidden', !this.recording);
    this.settings = m.room.settings;
    this.grants = m.grants || null;
    this.dominantSpeaker = m.room.dominantSpeaker;
    this.presentation.apply(m.room.presentation || null);
    this.sharedPage.resume(m.room.sharedPage || null);
    // Fresh TURN credentials: the ones from joining may be near their expiry in a long meeting.
    if (m.iceServers) {
      this.iceServers = m.iceServers;
      this.media.setIceServers(m.iceServers);
      this.p2p?.setIceServers(m.iceServers);
    }
    this.refresh();
  }

  // ---- own media -----------------------------------------------------------------------------------------------

  applyLocalMute() {
    const audioOn = !this.audioMuted || this.pushToTalk;
    this.stream.getAudioTracks().forEach((t) => { t.enabled = audioOn; });
    this.stream.getVideoTracks().forEach((t) => { t.enabled = !this.videoOff(); });
  }

  setAudioMuted(muted) {
    if (!muted && this.stream.getAudioTracks().length === 0) {
      toast('No microphone is available.');
      return;
    }
    this.audioMuted = muted;
    this.applyLocalMute();
    this.signaling.send({ type: 'mute', audio: muted, video: this.videoOff() });
    this.refresh();
  }

  setVideoMuted(muted) {
    if (!muted && this.stream.getVideoTracks().length === 0) {
      toast('No camera is available.');
      return;
    }
    this.videoMuted = muted;
    this.applyLocalMute();
    this.signaling.send({ type: 'mute', audio: this.audioMuted, video: this.videoOff() });
    this.refresh();
  }

  /** Whether others get no video from us: the camera is off, or we send audio only (video quality). */
  videoOff() {
    return this.videoMuted || !this.quality.sendsVideo();
  }

  /** The video quality we send changed: audio only turns our video off for everyone, like the camera button. */
  qualityChanged() {
    this.applyLocalMute();
    this.signaling.send({ type: 'mute', audio: this.audioMuted, video: this.videoOff() });
    this.refresh();
  }

  toggleHand() {
    this.signaling.send({ type: this.hands.includes(this.myId) ? 'lowerHand' : 'raiseHand' });
  }

  async toggleScreen() {
    if (this.screen) {
      await this.stopScreen();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    } catch (e) {
      toast('Screen sharing was not started.');
      return;
    }
    const transceivers = [];
    this.screen = { stream, transceivers, via: this.mode === 'p2p' ? this.p2p : this.media };
    try {
      for (const track of stream.getTracks()) {
        transceivers.push(await this.screen.via.addTrack(track, stream));
        track.addEventListener('ended', () => this.stopScreen());
      }
    } catch (e) {
      // Refused by the node (the node's error says why), or the connection went: share nothing.
      await this.stopScreen();
      return;
    }
    const key = `${this.myId}:screen`;
    this.tiles.ensure(key, this.myId, 'screen');
    this.tiles.setTrack(key, stream.getVideoTracks()[0]);
    this.tiles.arrange();
    this.screenButton.setAttribute('aria-pressed', 'true');
    label(this.screenButton, 'Stop sharing');
  }

  async stopScreen() {
    const screen = this.screen;
    if (!screen) return;
    this.screen = null;
    screen.stream.getTracks().forEach((t) => t.stop());
    for (const t of screen.transceivers) {
      try {
        await screen.via.removeTrack(t);
      } catch {
        // the connection it went on is already closed
      }
    }
    this.tiles.remove(`${this.myId}:screen`);
    this.screenButton.setAttribute('aria-pressed', 'false');
    label(this.screenButton, 'Share screen');
  }

  keyboard() {
    // Push-to-talk: while muted, holding the spacebar (outside text fields) unmutes.
    const typing = (e) => ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(e.target.tagName);
    // Arrow keys turn the presentation's pages for whoever has control.
    window.addEventListener('keydown', (e) => this.presentation.key(e));
    window.addEventListener('keydown', (e) => {
      if (e.code !== 'Space' || e.repeat || typing(e) || !this.audioMuted || this.pushToTalk) return;
      e.preventDefault();
      this.pushToTalk = true;
      this.applyLocalMute();
      this.signaling.send({ type: 'mute', audio: false, video: this.videoOff() });
    });
    window.addEventListener('keyup', (e) => {
      if (e.code !== 'Space' || !this.pushToTalk) return;
      this.pushToTalk = false;
      this.applyLocalMute();
      this.signaling.send({ type: 'mute', audio: true, video: this.videoOff() });
    });
  }

  // ---- remote media --------------------------------------------------------------------------------------------

  /**
   * The router's track ids are "participant-mid-ssrc", with the publisher's mid: a participant's first video
   * m-section is its camera, later ones screens.
   */
  static midOf(trackId) {
    const parts = trackId.split('-');
    return parts.length >= 3 ? Number(parts[parts.length - 2]) : 0;
  }

  /** The pinned tile's participant (or nobody): its video always comes, whatever last-N picks. */
  pinChanged(participantId) {
    const pinned = participantId && participantId !== this.myId ? [participantId] : [];
    this.signaling.send({ type: 'receiverConstraints', pinned });
  }

  remoteTrack(participantId, track, mid, via) {
    if (!participantId) return;
    if (track.kind === 'audio') {
      const el = h('audio', { autoplay: true, 'data-participant': participantId, 'data-track': track.id, 'data-via': via });
      el.srcObject = new MediaStream([track]);
      this.audioSinks.append(el);
      return;
    }
    const videos = this.remoteVideo.get(participantId) || new Map();
    videos.set(`${via}:${mid}`, { mid, track, via });
    this.remoteVideo.set(participantId, videos);
    this.placeVideos(participantId);
  }

  remoteTrackEnded(participantId, track, mid, via) {
    if (track.kind === 'audio') {
      this.audioSinks.querySelector(`audio[data-track="${CSS.escape(track.id)}"]`)?.remove();
      return;
    }
    const videos = this.remoteVideo.get(participantId);
    if (videos && videos.get(`${via}:${mid}`)?.track === track) {
      videos.delete(`${via}:${mid}`);
      if (videos.size === 0) this.remoteVideo.delete(participantId);
    }
    this.placeVideos(participantId);
  }

  /** Puts a participant's camera and screen tracks on their tiles; people no longer in the roster get none. */
  placeVideos(participantId) {
    if (!this.participants.has(participantId)) {
      this.tiles.remove(`${participantId}:camera`);
      this.tiles.remove(`${participantId}:screen`);
      return;
    }
    // Tracks of the connection in use (the bridge once it carries any), lowest m-section first: camera, then screen.
    const all = [...(this.remoteVideo.get(participantId) || new Map()).values()];
    const via = all.some((v) => v.via === 'bridge') ? 'bridge' : 'p2p';
    const videos = all.filter((v) => v.via === via).sort((a, b) => a.mid - b.mid);
    this.tiles.ensure(`${participantId}:camera`, participantId, 'camera');
    this.tiles.setTrack(`${participantId}:camera`, videos[0]?.track || null);
    const screenKey = `${participantId}:screen`;
    if (videos.length > 1) {
      this.tiles.ensure(screenKey, participantId, 'screen');
      this.tiles.setTrack(screenKey, videos[1].track);
    } else {
      this.tiles.remove(screenKey);
    }
    this.tiles.arrange();
  }

  // ---- peer-to-peer or bridge ----------------------------------------------------------------------------------

  /**
   * Two people (and no viewers): a direct call. A third person, or a recording (it takes the media from the
   * router, which a direct call bypasses): everyone moves to the bridge, for good. Alone: send nothing until
   * someone arrives.
   */
  async chooseMode() {
    if (this.ended || this.choosing) return;
    this.choosing = true;
    try {
      const everyone = [...this.participants.values()];
      const others = everyone.filter((p) => p.id !== this.myId);
      const p2pAllowed = this.settings.features?.p2p !== false && !this.recording
        && everyone.every((p) => p.role !== 'viewer');
      if (this.mode === 'none' || this.mode === 'p2p') {
        if (everyone.length === 2 && p2pAllowed && this.role !== 'viewer') {
          if (this.mode === 'none' || this.p2p?.remoteId !== others[0].id) this.startP2p(others[0].id);
        } else if (others.length >= 2 || (others.length === 1 && !p2pAllowed) || this.role === 'viewer') {
          await this.startBridge();
        } else if (others.length === 0 && this.p2p) {
          this.stopP2p();
          this.mode = 'none';
        }
      }
    } finally {
      this.choosing = false;
    }
  }

  startP2p(remoteId) {
    this.stopP2p();
    this.mode = 'p2p';
    this.p2p = new PeerCall(this.signaling, remoteId, {
      polite: this.myId > remoteId,
      iceServers: this.iceServers,
      transform: this.e2ee,
      onTrack: (track, mid) => this.remoteTrack(remoteId, track, mid, 'p2p'),
      onTrackEnded: (track, mid) => this.remoteTrackEnded(remoteId, track, mid, 'p2p'),
    });
    if (this.role !== 'viewer') this.p2p.start(this.stream);
    this.quality.watch(this.p2p.pc);
    const inbox = this.peerInbox.filter((m) => m.from === remoteId);
    this.peerInbox = [];
    for (const m of inbox) this.p2p.handle(m.payload);
  }

  stopP2p() {
    const call = this.p2p;
    if (!call) return;
    this.p2p = null;
    call.close();
    const pid = call.remoteId;
    this.audioSinks.querySelectorAll('audio[data-via="p2p"]').forEach((el) => el.remove());
    const videos = this.remoteVideo.get(pid);
    if (videos) for (const [key, v] of [...videos]) if (v.via === 'p2p') videos.delete(key);
    this.placeVideos(pid);
  }

  async startBridge() {
    this.mode = 'bridge';
    if (this.role !== 'viewer' && this.stream.getTracks().length > 0) {
      try {
        await this.media.publish(this.stream);
        if (this.screen) {
          // The screen share moves to the bridge too.
          const { stream } = this.screen;
          this.screen.via = this.media;
          this.screen.transceivers = [];
          for (const track of stream.getTracks()) this.screen.transceivers.push(await this.media.addTrack(track, stream));
        }
      } catch (e) {
        toast('Your camera and microphone could not be sent: ' + e.message);
      }
    }
    this.stopP2p();
  }

  onPeer(m) {
    if (this.p2p && this.p2p.remoteId === m.from) {
      this.p2p.handle(m.payload);
    } else if (this.mode !== 'bridge') {
      // The other side started first: keep its messages for the call we are about to start.
      this.peerInbox.push(m);
      this.chooseMode();
    }
  }

  /** Inbound and outbound RTP statistics of every connection in use. */
  async mediaStats() {
    const out = await this.media.stats();
    if (this.p2p) {
      (await this.p2p.pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp') out.inbound.push(r);
        if (r.type === 'outbound-rtp') out.outbound.push(r);
      });
    }
    return out;
  }

  // ---- recordings ----------------------------------------------------------------------------------------------

  /** Moderators ask the node for the room's recordings (it answers 'recordings'; others it would refuse). */
  listRecordings(retry = false) {
    if (this.role !== 'moderator' || this.ended) return;
    clearTimeout(this.recordingsRetry);
    if (!retry) this.recordingsRetries = 0;
    this.signaling.send({ type: 'listRecordings' });
  }

  /**
   * A recording that just stopped lists as running until its files are final, seconds later: while the panel
   * shows it, ask again every two seconds, for at most a minute.
   */
  recordingsListed(recordings) {
    this.recordings = recordings;
    const finishing = this.recordingFinishing;
    const done = !finishing || recordings.some((r) => r.egressId === finishing && r.status === 'ended');
    if (done) this.recordingFinishing = null;
    const unfinished = !done || recordings.some((r) => r.status !== 'ended' && r.egressId !== this.recording?.egressId);
    clearTimeout(this.recordingsRetry);
    if (unfinished && this.panel === 'settings' && this.recordingsRetries < 30) {
      this.recordingsRetries++;
      this.recordingsRetry = setTimeout(() => this.listRecordings(true), 2000);
    }
    // The list's own section is redrawn alone, unless the panel does not show it yet (the feature is off).
    if (this.settingsPanel.content.contains(this.settingsPanel.recordings)) this.settingsPanel.refreshRecordings();
    else this.settingsPanel.refresh();
  }

  /**
   * A listed file's link, on the node that listed it (the one our signaling connection is to: its ticket is held
   * there), or null for anything that is not such a link.
   */
  downloadUrl(path) {
    if (typeof path !== 'string' || !/^\/recordings\/[A-Za-z0-9_-]+$/.test(path)) return null;
    return new URL(path, this.signaling.currentUrl.replace(/^ws/, 'http')).href;
  }

  // ---- leaving -------------------------------------------------------------------------------------------------

  leave() {
    this.signaling.send({ type: 'leave' });
    this.end('You left the meeting.', 'left');
  }

  end(text, code) {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.recordingsRetry);
    this.stats.stop();
    this.stopP2p();
    this.media.close();
    this.e2ee?.close();
    this.stream.getTracks().forEach((t) => t.stop());
    this.screen?.stream.getTracks().forEach((t) => t.stop());
    this.signaling.close();
    this.onEnd(text, code);
  }
}

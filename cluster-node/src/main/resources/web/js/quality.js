// @ts-check
// Video quality: what this person sends and what they receive, each one of audio only, low (180p), standard (360p)
// or HD (720p), kept in this browser (localStorage) so it holds across reconnects and later meetings.
// Sending changes the camera sender's encodings (RTCRtpSender.setParameters: which simulcast layers are active, or
// one layer's scale and bit rate); receiving tells the node's router the tallest picture wanted of each tile
// ("videoConstraints", docs/protocol.md): the stage gets the chosen height, smaller tiles and thumbnails the
// smallest rung that fills them, audio only none at all. The router sends each the simulcast layer that fits.
import { h } from './ui.js';

/** The choices and their picture heights (0: no video). */
export const LEVELS = Object.freeze({ audio: 0, low: 180, standard: 360, hd: 720 });
/** What each choice is called in the settings. */
const NAMES = { audio: 'Audio only', low: 'Low (180p)', standard: 'Standard (360p)', hd: 'HD (720p)' };
/** A single-encoding sender's (a direct call's) most bits per second at each height. */
const BITRATES = { 180: 250_000, 360: 700_000, 720: 2_500_000 };
/** The heights a tile may ask for: the smallest that fills it (a layer's picture is one of these). */
const RUNGS = [180, 360, 720];
const STORAGE_KEY = 'lchat.videoQuality';
/** Layout changes come in bursts (tiles arriving, a resize): the router hears the result once they settle. */
const SETTLE_MS = 250;

/**
 * @typedef {'audio' | 'low' | 'standard' | 'hd'} Level
 * @typedef {{ send: Level, receive: Level }} Choice
 */

/** @param {unknown} v @returns {v is Level} */
function isLevel(v) {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(LEVELS, v);
}

/** @returns {Choice} the saved choice, HD both ways when there is none (or storage is refused) */
export function loadChoice() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || '{}');
    return { send: isLevel(saved?.send) ? saved.send : 'hd', receive: isLevel(saved?.receive) ? saved.receive : 'hd' };
  } catch {
    return { send: 'hd', receive: 'hd' };
  }
}

/** @param {Choice} choice */
function saveChoice(choice) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // storage refused (private mode): the choice holds for this page only
  }
}

/**
 * The encodings a camera track of {@code trackHeight} pixels should send at {@code level}: simulcast layers whose
 * picture fits the level's height stay active (the smallest always, unless audio only); a single encoding is scaled
 * down to the height and capped in bit rate.
 * @param {RTCRtpEncodingParameters[]} encodings
 * @param {number} trackHeight
 * @param {Level} level
 */
export function shapeEncodings(encodings, trackHeight, level) {
  const cap = LEVELS[level];
  if (encodings.length > 1) {
    const smallest = Math.max(...encodings.map((e) => e.scaleResolutionDownBy || 1));
    return encodings.map((e) => {
      const scale = e.scaleResolutionDownBy || 1;
      const height = trackHeight / scale;
      return { ...e, active: cap > 0 && (scale === smallest || height <= cap * 1.05) };
    });
  }
  return encodings.map((e) => {
    if (cap === 0) return { ...e, active: false };
    return { ...e, active: true, scaleResolutionDownBy: Math.max(1, trackHeight / cap),
      maxBitrate: BITRATES[/** @type {180 | 360 | 720} */ (cap)] };
  });
}

/**
 * The tallest picture a tile of {@code pixels} height needs, at most {@code cap}: the smallest rung that fills it.
 * @param {number} pixels
 * @param {number} cap
 */
export function heightFor(pixels, cap) {
  const rung = RUNGS.find((r) => r >= pixels) ?? RUNGS[RUNGS.length - 1];
  return Math.min(rung, cap);
}

export class VideoQuality {
  /** @param {any} meeting the Meeting: its signaling, media session, tiles and camera stream */
  constructor(meeting) {
    this.meeting = meeting;
    /** @type {Choice} */
    this.choice = loadChoice();
    /** The last videoConstraints sent, as JSON, so an unchanged layout sends nothing. */
    this.sentConstraints = '';
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    // A new signaling connection (a resume, or a rejoin as someone new) starts with no constraints at the node.
    for (const event of ['resumed', 'joined']) {
      meeting.signaling.on(event, () => {
        this.sentConstraints = '';
        this.layoutChanged();
      });
    }
  }

  /** Whether we send video at all (not audio only). */
  sendsVideo() {
    return this.choice.send !== 'audio';
  }

  /** Whether we receive video at all. */
  receivesVideo() {
    return this.choice.receive !== 'audio';
  }

  /**
   * A new choice for sending or receiving: kept, and applied at once.
   * @param {'send' | 'receive'} direction
   * @param {string} level
   */
  async set(direction, level) {
    if (!isLevel(level)) return;
    this.choice = { ...this.choice, [direction]: level };
    saveChoice(this.choice);
    if (direction === 'send') {
      this.meeting.qualityChanged?.();
      await this.applySending();
    } else {
      this.sendConstraints();
      this.meeting.tiles.refreshAll();
    }
  }

  /** The camera's height in pixels, as the browser captures it (720 when it does not say). */
  cameraHeight() {
    const track = this.meeting.stream?.getVideoTracks()[0];
    return track?.getSettings?.().height || 720;
  }

  /**
   * Gives the camera senders of every connection in use (the bridge's, a direct call's) the encodings of the chosen
   * level. A screen share is left alone: its text needs every pixel.
   */
  async applySending() {
    const camera = this.meeting.stream?.getVideoTracks()[0];
    if (!camera) return;
    const connections = [this.meeting.media?.publisher, this.meeting.p2p?.pc].filter(Boolean);
    for (const pc of connections) {
      for (const sender of pc.getSenders()) {
        if (sender.track !== camera) continue;
        const params = sender.getParameters();
        if (!params.encodings?.length) continue; // not negotiated yet: applied once it is
        params.encodings = shapeEncodings(params.encodings, this.cameraHeight(), this.choice.send);
        try {
          await sender.setParameters(params);
        } catch (e) {
          console.warn('video quality: the sender refused its encodings', e);
        }
      }
    }
  }

  /**
   * A connection that sends our camera came up (a direct call, or the bridge again after a move): its encodings
   * follow the choice.
   * @param {RTCPeerConnection} pc
   */
  watch(pc) {
    const apply = () => {
      if (pc.connectionState === 'connected') this.applySending();
    };
    pc.addEventListener('connectionstatechange', apply);
    apply();
  }

  /** The encodings a new sending connection starts with (media.js asks before it offers). */
  initialEncodings(/** @type {RTCRtpEncodingParameters[]} */ encodings, /** @type {MediaStreamTrack} */ track) {
    return shapeEncodings(encodings, track.getSettings?.().height || 720, this.choice.send);
  }

  /** Tiles moved or changed size: the router hears the new constraints once the layout settles. */
  layoutChanged() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.sendConstraints(), SETTLE_MS);
  }

  /**
   * What to ask the router for: every other participant's camera tile and screen by its size on screen (the stage
   * gets the chosen height; thumbnails the smallest rung), anything not on screen at the smallest rung; nothing at
   * all when receiving audio only.
   */
  constraints() {
    const cap = LEVELS[this.choice.receive];
    if (cap === 0) return { defaultMaxHeight: 0 };
    /** @type {Record<string, number>} */
    const maxHeights = {};
    const m = this.meeting;
    const trackIds = this.routerTrackIds();
    for (const t of m.tiles.tiles.values()) {
      if (t.participantId === m.myId) continue;
      const onStage = t.el.dataset.onStage === 'true';
      const pixels = Math.round((t.el.clientHeight || 0) * (window.devicePixelRatio || 1));
      const height = onStage ? cap : heightFor(pixels, cap);
      const trackId = t.track ? trackIds.get(t.track) : undefined;
      // A camera is named by its participant (its track changes as last-N switches); a screen by its own track.
      const key = t.kind === 'screen' ? trackId : t.participantId;
      if (key) maxHeights[key] = height;
    }
    return { defaultMaxHeight: Math.min(RUNGS[0], cap), maxHeights };
  }

  /** @returns {Map<MediaStreamTrack, string>} each received track's id at the router */
  routerTrackIds() {
    const media = this.meeting.media;
    const ids = new Map();
    for (const [mid, r] of media?.remote || []) {
      const id = media.routerTrackIds?.get(mid);
      if (id) ids.set(r.track, id);
    }
    return ids;
  }

  /** Sends the constraints if they changed since the last time (the node keeps the last). */
  sendConstraints() {
    clearTimeout(this.timer);
    if (this.meeting.ended) return;
    const c = this.constraints();
    const json = JSON.stringify(c);
    if (json === this.sentConstraints) return;
    this.sentConstraints = json;
    this.meeting.signaling.send({ type: 'videoConstraints', ...c });
  }

  /** The settings section: two choices, for what we send and what we receive. */
  section() {
    /** @param {'send' | 'receive'} direction @param {string} text */
    const choose = (direction, text) => h('label', {}, text, ' ',
      h('select', { testid: `quality-${direction}`, 'aria-label': text,
        onchange: (/** @type {Event} */ e) => this.set(direction, /** @type {HTMLSelectElement} */ (e.target).value) },
      ...Object.keys(LEVELS).map((level) => h('option', { value: level, selected: this.choice[direction] === level },
        NAMES[/** @type {Level} */ (level)]))));
    return h('section', { testid: 'video-quality', 'aria-label': 'Video quality' },
      h('h3', {}, 'Video quality'),
      h('div', { class: 'row' }, choose('send', 'I send'), choose('receive', 'I receive')));
  }
}

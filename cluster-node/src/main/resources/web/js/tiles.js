// Video tiles: one per participant's camera (the local one included) and one per screen share, in a grid (tile
// view) or with one tile on stage and the rest in a strip (stage view).
import { h, initials } from './ui.js';

const ASPECT = 16 / 9;
/** Below this width a tile's video and name are too small to be of use: more tiles scroll instead. */
const SMALLEST_WIDTH = 96;

/**
 * Tile view's tile width: the largest at which `count` 16:9 tiles, `gap` apart, fit in a box of `width` x
 * `height` (the number of columns that gives the largest tiles wins), in whole pixels. When even that is below
 * SMALLEST_WIDTH, as many columns of at least that width as the box holds, which then scroll.
 */
export function tileWidth(count, width, height, gap) {
  let best = 0;
  for (let columns = 1; columns <= Math.max(1, count); columns++) {
    const rows = Math.ceil(count / columns);
    const byWidth = (width - gap * (columns - 1)) / columns;
    const byHeight = ((height - gap * (rows - 1)) / rows) * ASPECT;
    best = Math.max(best, Math.min(byWidth, byHeight));
  }
  if (best < SMALLEST_WIDTH) {
    const columns = Math.max(1, Math.floor((width + gap) / (SMALLEST_WIDTH + gap)));
    best = (width - gap * (columns - 1)) / columns;
  }
  return Math.max(0, Math.floor(best));
}

export class Tiles {
  constructor(meeting) {
    this.meeting = meeting;
    this.tiles = new Map(); // key "pid:camera" | "pid:screen" -> { el, video, avatar, name, icons, stats, track }
    this.layout = 'tile';
    this.pinned = null;
    /** What holds the stage instead of a tile (a presentation, a shared page), and the layout from before. */
    this.holders = new Set();
    this.layoutBefore = null;
    this.grid = h('div', { class: 'tiles', testid: 'tiles' });
    this.stage = h('div', { class: 'stage', testid: 'stage' });
    this.area = h('section', { class: 'stage-area layout-tile', testid: 'stage-area', 'aria-label': 'Participants\' video' },
      this.stage, this.grid);
    // The grid's box is what the window leaves between header, toolbar and side panel: tiles follow its size.
    new ResizeObserver(() => this.fit()).observe(this.grid);
  }

  /** Tile view: sizes the tiles so that all of them fit in the grid's box. */
  fit() {
    const gap = parseFloat(getComputedStyle(this.grid).columnGap) || 0;
    // One pixel to spare: clientWidth and clientHeight are the box's size rounded, possibly up.
    const width = tileWidth(this.grid.childElementCount, this.grid.clientWidth - 1, this.grid.clientHeight - 1, gap);
    this.grid.style.setProperty('--tile-width', `${width}px`);
    // Each tile's size decides the picture height asked of the router (video quality).
    this.meeting.quality?.layoutChanged();
  }

  setLayout(layout) {
    this.layout = layout;
    this.area.className = `stage-area layout-${layout}`;
    this.arrange();
  }

  pin(key) {
    this.pinned = this.pinned === key ? null : key;
    if (this.pinned && this.layout !== 'stage') this.setLayout('stage');
    else this.arrange();
    // The server's last-N then always sends the pinned participant's video (docs/protocol.md).
    this.meeting.pinChanged?.(this.pinned ? this.tiles.get(this.pinned)?.participantId : null);
  }

  /** Whether a presentation or a shared page holds the stage (then no tile is on it). */
  get presenting() {
    return this.holders.size > 0;
  }

  /**
   * `el` (a presentation, a shared page) takes the stage like a screen share: the view goes to stage layout and
   * the tiles to the strip. Several may hold it at once; they sit side by side.
   */
  hold(el) {
    if (this.holders.has(el)) return;
    if (this.holders.size === 0) this.layoutBefore = this.layout;
    this.holders.add(el);
    this.stage.prepend(el);
    if (this.layout !== 'stage') this.setLayout('stage');
    else this.arrange();
  }

  /** `el` leaves the stage; when nothing holds it any more, the layout from before comes back. */
  release(el) {
    el.remove();
    if (!this.holders.delete(el)) return;
    const before = this.holders.size === 0 ? this.layoutBefore : null;
    if (this.holders.size === 0) this.layoutBefore = null;
    if (before && before !== this.layout) this.setLayout(before);
    else this.arrange();
  }

  ensure(key, participantId, kind) {
    let t = this.tiles.get(key);
    if (t) return t;
    const video = h('video', { autoplay: true, playsInline: true, muted: true });
    const avatar = h('div', { class: 'avatar' });
    const name = h('span', { class: 'name' });
    const icons = h('span', { class: 'icons' });
    const quality = h('span', { class: 'quality', title: 'Connection' });
    const stats = h('div', { class: 'stats hidden', testid: 'tile-stats' });
    const pinButton = h('button', { 'aria-label': 'Pin', testid: 'pin', onclick: () => this.pin(key) }, 'Pin');
    const statsButton = h('button', { 'aria-label': 'Connection details', testid: 'stats-toggle',
      onclick: () => stats.classList.toggle('hidden') }, 'i');
    const el = h('div', { class: 'tile', testid: 'tile', 'data-participant': participantId, 'data-kind': kind,
      tabindex: 0 }, video, avatar, stats, h('div', { class: 'label' }, quality, name, icons),
    h('div', { class: 'tools' }, statsButton, pinButton));
    t = { key, participantId, kind, el, video, avatar, name, icons, stats, quality, track: null };
    this.tiles.set(key, t);
    this.grid.append(el);
    return t;
  }

  setTrack(key, track) {
    const t = this.tiles.get(key);
    if (!t) return;
    if (t.track === track) {
      this.refresh(t);
      return;
    }
    t.track = track;
    t.video.srcObject = track ? new MediaStream([track]) : null;
    this.refresh(t);
  }

  remove(key) {
    const t = this.tiles.get(key);
    if (!t) return;
    t.el.remove();
    this.tiles.delete(key);
    if (this.pinned === key) this.pinned = null;
    this.arrange();
  }

  /** Names, mute and hand icons, avatar when there is no video, speaker highlight. */
  refresh(t) {
    const p = this.meeting.participants.get(t.participantId);
    const me = t.participantId === this.meeting.myId;
    const displayName = p ? p.displayName : t.participantId;
    t.name.textContent = (t.kind === 'screen' ? `${displayName} (screen)` : displayName) + (me ? ' (you)' : '');
    const icons = [];
    if (t.kind === 'camera' && p?.audioMuted) icons.push(h('span', { testid: 'muted-audio', title: 'Microphone off' }, '🔇'));
    if (t.kind === 'camera' && p?.videoMuted) icons.push(h('span', { testid: 'muted-video', title: 'Camera off' }, '📷✕'));
    if (t.kind === 'camera' && p?.handRaised) icons.push(h('span', { testid: 'hand', title: 'Hand raised' }, '✋'));
    if (p?.role === 'moderator' && t.kind === 'camera') icons.push(h('span', { title: 'Moderator' }, '★'));
    t.icons.replaceChildren(...icons);
    // Receiving audio only (video quality): the router sends no video, so a frozen last picture would mislead.
    const showVideo = t.track && !(t.kind === 'camera' && p?.videoMuted) && (me || this.meeting.quality?.receivesVideo() !== false);
    t.video.classList.toggle('hidden', !showVideo);
    t.avatar.classList.toggle('hidden', !!showVideo);
    t.avatar.textContent = initials(displayName);
    t.el.classList.toggle('speaking', t.kind === 'camera' && this.meeting.dominantSpeaker === t.participantId);
  }

  refreshAll() {
    for (const t of this.tiles.values()) this.refresh(t);
    this.arrange();
  }

  /**
   * Who is on stage: nobody while a presentation or a shared page holds it, else the pinned tile, else a screen share, else the
   * dominant speaker, else someone else.
   */
  stageKey() {
    if (this.presenting) return null;
    if (this.pinned && this.tiles.has(this.pinned)) return this.pinned;
    for (const t of this.tiles.values()) if (t.kind === 'screen') return t.key;
    const speaker = this.meeting.dominantSpeaker;
    if (speaker && speaker !== this.meeting.myId && this.tiles.has(`${speaker}:camera`)) return `${speaker}:camera`;
    for (const t of this.tiles.values()) if (t.participantId !== this.meeting.myId) return t.key;
    return this.tiles.keys().next().value || null;
  }

  arrange() {
    const onStage = this.layout === 'stage' ? this.stageKey() : null;
    for (const t of this.tiles.values()) {
      const parent = t.key === onStage ? this.stage : this.grid;
      if (t.el.parentNode !== parent) parent.append(t.el);
      t.el.dataset.onStage = String(t.key === onStage);
    }
    this.fit();
  }
}

// A presented PDF on stage: the room holds which document, its page, who turns the pages and the shared pointer
// (docs/protocol.md, "Presentations"); every client renders that page with pdf.js, served by the node.
import { h, toast } from './ui.js';

const PDFJS = '/vendor/pdfjs/build/pdf.min.mjs';
const PDFJS_WORKER = '/vendor/pdfjs/build/pdf.worker.min.mjs';
/** The 14 standard fonts, for PDFs that name Helvetica and the like without embedding them. */
const STANDARD_FONTS = '/vendor/pdfjs/standard_fonts/';
/** Pointer moves we send at most this often (the room passes on at most one per 50 ms anyway). */
const POINTER_MS = 50;

let pdfjs = null;
async function loadPdfjs() {
  if (!pdfjs) {
    pdfjs = await import(PDFJS);
    pdfjs.GlobalWorkerOptions.workerSrc = PDFJS_WORKER;
  }
  return pdfjs;
}

export class Presentation {
  constructor(meeting) {
    this.meeting = meeting;
    /** The room's presentation as last heard ({documentId, url, presenter, controlledBy, pageCount, page, pointer}) or null. */
    this.state = null;
    this.doc = null;
    this.documentId = null;
    this.renderTask = null;
    this.renders = 0;
    this.lastPointer = 0;
    this.file = h('input', { type: 'file', accept: 'application/pdf,.pdf,image/png,image/jpeg', multiple: true,
      class: 'hidden', testid: 'presentation-file', 'aria-label': 'A PDF, or PNG/JPEG slides, to present',
      onchange: () => this.upload() });
    this.canvas = h('canvas', { testid: 'presentation-canvas' });
    this.pointer = h('div', { class: 'pointer hidden', testid: 'presentation-pointer' });
    this.pageLabel = h('span', { testid: 'presentation-page', 'aria-live': 'polite' });
    this.prev = h('button', { testid: 'presentation-prev', 'aria-label': 'Previous page', onclick: () => this.go(this.page() - 1) }, '◀');
    this.next = h('button', { testid: 'presentation-next', 'aria-label': 'Next page', onclick: () => this.go(this.page() + 1) }, '▶');
    this.jump = h('input', { type: 'number', min: 1, testid: 'presentation-jump', 'aria-label': 'Go to page',
      onchange: () => this.go(Number(this.jump.value)) });
    this.handTo = h('select', { testid: 'presentation-handover-to', 'aria-label': 'Hand control to' });
    this.handOver = h('button', { testid: 'presentation-handover', onclick: () => this.send({ action: 'handOver', target: this.handTo.value }) }, 'Hand over');
    this.stop = h('button', { class: 'danger', testid: 'presentation-stop', onclick: () => this.send({ action: 'stop' }) }, 'Stop presenting');
    this.status = h('span', { class: 'message', testid: 'presentation-status' });
    this.page_ = h('div', { class: 'page' }, this.canvas, this.pointer);
    this.el = h('div', { class: 'presentation', testid: 'presentation', 'aria-label': 'Presentation' },
      this.page_,
      h('div', { class: 'row controls' }, this.prev, this.pageLabel, this.next, this.jump, this.status,
        this.handTo, this.handOver, this.stop));
    this.canvas.addEventListener('pointermove', (e) => this.movePointer(e));
    this.canvas.addEventListener('pointerleave', () => { if (this.inControl()) this.send({ action: 'pointer', pointer: null }); });
    new ResizeObserver(() => { if (this.doc) this.render(); }).observe(this.page_);
  }

  page() {
    return this.state?.page || 1;
  }

  inControl() {
    return !!this.state && this.state.controlledBy === this.meeting.myId;
  }

  send(fields) {
    this.meeting.signaling.send({ type: 'presentation', ...fields });
  }

  go(page) {
    if (!this.inControl() || !Number.isInteger(page) || page < 1 || page > this.state.pageCount || page === this.page()) return;
    this.send({ action: 'page', page });
  }

  /** Arrow keys (and Page Up/Down) turn the pages for whoever has control. */
  key(e) {
    if (!this.inControl() || ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.target.tagName)) return;
    const step = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    this.go(this.page() + step);
  }

  movePointer(e) {
    if (!this.inControl()) return;
    const now = performance.now();
    if (now - this.lastPointer < POINTER_MS) return;
    this.lastPointer = now;
    const r = this.canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    this.send({ action: 'pointer', pointer: { x: clamp((e.clientX - r.left) / r.width), y: clamp((e.clientY - r.top) / r.height) } });
  }

  /** Where this client fetches the presented file: on the node its signaling is connected to. */
  nodeUrl(path) {
    return new URL(path, this.meeting.signaling.currentUrl.replace(/^ws/, 'http')).href;
  }

  credentials() {
    return { Authorization: `Bearer ${this.meeting.signaling.token}`, 'Lchat-Participant': this.meeting.myId };
  }

  choose() {
    this.file.value = '';
    this.file.click();
  }

  /**
   * Uploads the chosen PDF, or the chosen pictures as slides (PNG/JPEG, in file-name order: slide-2 before
   * slide-10): the node checks it, makes pictures into one PDF of a page each, and the room starts the presentation
   * (everyone hears it).
   */
  async upload(files = [...this.file.files]) {
    if (files instanceof File) files = [files];
    if (!files.length) return;
    const pictures = files.filter((f) => /^image\/(png|jpeg)$/.test(f.type));
    let body;
    if (pictures.length === files.length) {
      body = new FormData();
      [...pictures].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
        .forEach((f, i) => body.append('slide', f, f.name || `slide-${i + 1}`));
    } else if (files.length === 1) {
      body = files[0];
    } else {
      toast('Choose one PDF, or one or more PNG or JPEG pictures.');
      return;
    }
    toast(files.length === 1 ? `Uploading ${files[0].name}…` : `Uploading ${files.length} slides…`);
    const headers = { ...this.credentials() };
    // FormData sets its own multipart Content-Type with the boundary.
    if (!(body instanceof FormData)) headers['Content-Type'] = 'application/pdf';
    try {
      const r = await fetch(this.nodeUrl(`/presentations/${encodeURIComponent(this.meeting.roomId)}`), {
        method: 'POST', headers, body });
      if (!r.ok) {
        const error = await r.json().catch(() => ({}));
        toast(error.message || `The presentation was refused (${r.status}).`);
      }
    } catch (e) {
      toast('The presentation could not be uploaded.');
    }
  }

  /** The room's presentation changed (or, on joining, is): show its page to everyone. */
  async apply(state) {
    this.state = state;
    const tiles = this.meeting.tiles;
    if (!state) {
      this.close();
      tiles.release(this.el);
      this.meeting.refresh();
      return;
    }
    // Like a screen share, the presentation takes the stage; the tiles move to the strip.
    tiles.hold(this.el);
    this.refresh();
    if (state.documentId !== this.documentId) await this.open(state);
    else this.render();
  }

  async open(state) {
    this.close();
    this.documentId = state.documentId;
    this.status.textContent = 'Loading…';
    try {
      const lib = await loadPdfjs();
      const r = await fetch(this.nodeUrl(state.url), { headers: this.credentials(), cache: 'no-store' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const data = new Uint8Array(await r.arrayBuffer());
      if (this.documentId !== state.documentId) return;
      const doc = await lib.getDocument({ data, isEvalSupported: false, standardFontDataUrl: STANDARD_FONTS }).promise;
      if (this.documentId !== state.documentId) {
        doc.destroy();
        return;
      }
      this.doc = doc;
      this.status.textContent = '';
      this.render();
    } catch (e) {
      this.el.dataset.renderError = String(e);
      if (this.documentId === state.documentId) this.status.textContent = 'The presentation could not be shown.';
    }
  }

  close() {
    this.renderTask?.cancel();
    this.renderTask = null;
    this.doc?.destroy();
    this.doc = null;
    this.documentId = null;
    delete this.el.dataset.renderedPage;
  }

  /** Draws the room's page, as large as the stage allows; a newer page or size replaces a render under way. */
  async render() {
    const doc = this.doc;
    if (!doc || !this.state) return;
    const number = Math.min(this.state.page, doc.numPages);
    const run = ++this.renders;
    try {
      const page = await doc.getPage(number);
      if (run !== this.renders) return;
      const base = page.getViewport({ scale: 1 });
      const box = this.page_.getBoundingClientRect();
      const scale = Math.max(0.1, Math.min((box.width || base.width) / base.width, (box.height || base.height) / base.height));
      const ratio = window.devicePixelRatio || 1;
      const viewport = page.getViewport({ scale: scale * ratio });
      this.renderTask?.cancel();
      this.canvas.width = Math.floor(viewport.width);
      this.canvas.height = Math.floor(viewport.height);
      this.canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
      this.canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
      this.renderTask = page.render({ canvasContext: this.canvas.getContext('2d'), viewport });
      await this.renderTask.promise;
      if (run !== this.renders) return;
      this.el.dataset.renderedPage = String(number);
      this.placePointer();
    } catch (e) {
      // A cancelled render: a newer one follows. Anything else is kept where a look at the page finds it.
      if (e?.name !== 'RenderingCancelledException') this.el.dataset.renderError = String(e);
    }
  }

  placePointer() {
    const p = this.state?.pointer;
    this.pointer.classList.toggle('hidden', !p);
    if (!p) return;
    this.pointer.style.left = `${this.canvas.offsetLeft + p.x * this.canvas.offsetWidth}px`;
    this.pointer.style.top = `${this.canvas.offsetTop + p.y * this.canvas.offsetHeight}px`;
    this.el.dataset.pointer = `${p.x.toFixed(3)},${p.y.toFixed(3)}`;
  }

  /** Controls for whoever may use them (the room refuses the rest anyway), the page number, who presents. */
  refresh() {
    const s = this.state;
    if (!s) return;
    const m = this.meeting;
    const control = this.inControl();
    const presenter = s.presenter === m.myId;
    this.el.dataset.page = String(s.page);
    this.el.dataset.pageCount = String(s.pageCount);
    this.el.dataset.controlledBy = s.controlledBy;
    this.pageLabel.textContent = `Page ${s.page} of ${s.pageCount}`;
    this.prev.disabled = !control || s.page <= 1;
    this.next.disabled = !control || s.page >= s.pageCount;
    this.jump.disabled = !control;
    this.jump.max = s.pageCount;
    this.jump.value = s.page;
    const mayHandOver = presenter || control || m.role === 'moderator';
    this.handTo.replaceChildren(...[...m.participants.values()]
      .filter((p) => p.role !== 'viewer' && p.id !== s.controlledBy)
      .map((p) => h('option', { value: p.id }, p.displayName)));
    this.handTo.classList.toggle('hidden', !mayHandOver || this.handTo.options.length === 0);
    this.handOver.classList.toggle('hidden', !mayHandOver || this.handTo.options.length === 0);
    this.stop.classList.toggle('hidden', !(presenter || control || m.role === 'moderator'));
    const by = m.participants.get(s.controlledBy)?.displayName;
    this.status.textContent = this.doc ? (control ? 'You have control (arrow keys turn the pages)' : by ? `${by} presents` : '') : this.status.textContent;
    this.placePointer();
  }
}

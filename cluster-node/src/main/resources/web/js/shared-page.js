// A web page shared with everyone (docs/protocol.md, "Shared web page"): the room holds its address, who shares it
// and whether its site lets it be framed, as the node found out before anyone was shown it. Every client shows it on
// stage in a sandboxed iframe, or, when the site refuses to be framed, a message with a link to open it in a tab.
import { h } from './ui.js';

/**
 * What the shared page may do in its frame: run its scripts, keep its own origin (its cookies and storage, so the
 * site works as it would in a tab), submit forms and open links in new tabs. Never navigate the meeting itself
 * (no allow-top-navigation), open modal dialogs, lock the pointer or download files.
 */
const SANDBOX = ['allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-popups'];

/** The page's address if it is an http or https URL (the room accepts no other; checked again before any use). */
export function webAddress(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/**
 * The frame's sandbox for a page at `address`. A page of the meeting's own origin gets no
 * allow-same-origin: with scripts, it could reach into the meeting's page and lift its own sandbox (HTML, "the
 * sandbox attribute": allow-scripts with allow-same-origin on a same-origin page makes it no sandbox at all).
 */
export function sandboxFor(address, meetingOrigin = location.origin) {
  return SANDBOX.filter((t) => t !== 'allow-same-origin' || address.origin !== meetingOrigin).join(' ');
}

/** The "Share a web page" prompt: the address, then what the room said (the node checks the page first). */
class SharePageDialog {
  constructor(sharedPage) {
    this.sharedPage = sharedPage;
    this.pending = false;
    this.url = h('input', { type: 'url', required: true, placeholder: 'https://…', autocomplete: 'url',
      'aria-label': 'Address of the page to share', testid: 'share-page-url' });
    this.status = h('p', { class: 'message', role: 'status', testid: 'share-page-status' });
    this.error = h('p', { class: 'error', role: 'alert', testid: 'share-page-error' });
    this.submit = h('button', { type: 'submit', class: 'primary', testid: 'share-page-submit' }, 'Share');
    this.title = h('h2', {}, 'Share a web page');
    this.el = h('dialog', { class: 'share-page-dialog', testid: 'share-page-dialog', 'aria-label': 'Share a web page' },
      // novalidate: the room says what is wrong with an address, in words, for every browser alike.
      h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); this.send(); } },
        this.title,
        h('p', { class: 'message' }, 'Everyone in the meeting sees the page on stage. Links you follow inside it stay'
          + ' yours: share another address to take everyone there.'),
        h('div', { class: 'row' }, this.url),
        this.status, this.error,
        h('div', { class: 'row actions' },
          h('button', { type: 'button', testid: 'share-page-cancel', onclick: () => this.close() }, 'Cancel'),
          this.submit)));
  }

  open(navigating) {
    this.title.textContent = navigating ? 'Go to another page' : 'Share a web page';
    this.submit.textContent = navigating ? 'Go there' : 'Share';
    this.error.textContent = '';
    this.status.textContent = '';
    this.pending = false;
    this.submit.disabled = false;
    if (!this.el.open) this.el.showModal();
    this.url.focus();
    this.url.select();
  }

  close() {
    this.pending = false;
    if (this.el.open) this.el.close();
  }

  send() {
    const url = this.url.value.trim();
    this.error.textContent = '';
    if (!url) {
      this.error.textContent = 'Type the address of a page (http:// or https://).';
      return;
    }
    // The room decides what may be shared (http and https on its allowed hosts) and says why not.
    this.pending = true;
    this.submit.disabled = true;
    this.status.textContent = 'Checking the page…';
    this.sharedPage.meeting.signaling.send({ type: 'sharedPage', action: 'share', url });
  }

  /** The room refused what we asked while we waited for it: say why, and let the address be corrected. */
  refused(message) {
    if (!this.pending) return false;
    this.pending = false;
    this.submit.disabled = false;
    this.status.textContent = '';
    this.error.textContent = message;
    this.url.focus();
    return true;
  }

  /** Our page is on stage: nothing left to ask. */
  shown() {
    if (this.pending) this.close();
  }
}

export class SharedPage {
  constructor(meeting) {
    this.meeting = meeting;
    /** The room's shared page as last heard ({url, sharedBy, framing, framingDetail}) or null. */
    this.page = null;
    this.dialog = new SharePageDialog(this);
    this.view = h('div', { class: 'view' });
    this.by = h('span', { class: 'message', testid: 'shared-page-by' });
    this.address = h('a', { class: 'address', target: '_blank', rel: 'noopener noreferrer', referrerpolicy: 'no-referrer',
      testid: 'shared-page-address' });
    this.navigate = h('button', { testid: 'shared-page-navigate', onclick: () => this.dialog.open(true) }, 'Go to another page');
    this.stop = h('button', { class: 'danger', testid: 'shared-page-stop', onclick: () => this.stopSharing() }, 'Stop sharing');
    this.el = h('div', { class: 'shared-page', testid: 'shared-page', 'aria-label': 'Shared web page' },
      this.view,
      h('div', { class: 'row controls' }, this.by, this.address, this.navigate, this.stop));
  }

  /** The toolbar's "Share a web page": a new share, or, for whoever shares one now, the next address. */
  choose() {
    this.dialog.open(this.page?.sharedBy === this.meeting.myId);
  }

  stopSharing() {
    this.meeting.signaling.send({ type: 'sharedPage', action: 'stop' });
  }

  /** The room refused a command: if it was our share, the prompt shows why (true), else it is someone else's. */
  refused(message) {
    return this.dialog.refused(message);
  }

  /**
   * The room's shared page changed (shared, navigated, stopped), or, on joining, is: everyone's stage shows it. Each
   * change loads the page afresh, the same address too (the sharer took everyone back to it).
   */
  apply(page) {
    const tiles = this.meeting.tiles;
    const address = page ? webAddress(page.url) : null;
    this.page = address ? page : null;
    if (!this.page) {
      this.view.replaceChildren();
      tiles.release(this.el);
      this.meeting.refresh();
      return;
    }
    this.el.dataset.url = address.href;
    this.el.dataset.framing = page.framing || 'unknown';
    this.view.replaceChildren(page.framing === 'refused' ? this.refusedView(address, page.framingDetail) : this.frame(address));
    this.address.href = address.href;
    this.address.textContent = address.href;
    tiles.hold(this.el);
    if (page.sharedBy === this.meeting.myId) this.dialog.shown();
    this.refresh();
  }

  /** Back in the room after a reconnect: a page that did not change stays as it is (not reloaded). */
  resume(page) {
    const p = this.page;
    const same = p && page && p.url === page.url && p.sharedBy === page.sharedBy && p.framing === page.framing;
    if (same) this.refresh();
    else if (p || page) this.apply(page);
  }

  frame(address) {
    return h('iframe', { src: address.href, sandbox: sandboxFor(address), referrerpolicy: 'no-referrer',
      // No camera, microphone, screen or the like for the page, whatever its site asks for (Permissions Policy).
      allow: "camera 'none'; microphone 'none'; display-capture 'none'; geolocation 'none'",
      title: `Shared page: ${address.host}`, testid: 'shared-page-frame' });
  }

  /** The site forbids being shown inside another site's page: say so, with the address to open in a tab. */
  refusedView(address, detail) {
    return h('div', { class: 'refused', role: 'status', testid: 'shared-page-refused' },
      h('p', {}, `${address.host} does not allow its pages to be shown inside other sites, so it cannot appear here.`),
      detail ? h('p', { class: 'message', testid: 'shared-page-refused-detail' }, `The site says: ${detail}`) : null,
      h('p', {}, 'Open it in a new tab: ',
        h('a', { href: address.href, target: '_blank', rel: 'noopener noreferrer', referrerpolicy: 'no-referrer',
          testid: 'shared-page-link' }, address.href)));
  }

  /** Who shares the page, and the controls for whoever may use them (the room refuses the rest anyway). */
  refresh() {
    const p = this.page;
    if (!p) return;
    const m = this.meeting;
    const mine = p.sharedBy === m.myId;
    const name = m.participants.get(p.sharedBy)?.displayName;
    this.el.dataset.sharedBy = p.sharedBy;
    this.by.textContent = mine ? 'You are sharing' : name ? `${name} is sharing` : 'Shared page';
    this.navigate.classList.toggle('hidden', !mine);
    this.stop.classList.toggle('hidden', !(mine || m.role === 'moderator'));
  }
}

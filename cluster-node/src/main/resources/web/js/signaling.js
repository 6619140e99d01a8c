// The signaling WebSocket (docs/protocol.md): JSON messages with a "type", one listener list per type.
// When the node is draining it sends "reconnect": the connection moves to another node by itself and resumes the
// participant there ("resumed"); listeners see nothing of it but that message. When the connection drops on its
// own (a network change, the node gone), it is opened again with a doubling delay and the participant resumed:
// the first try goes to the same URL, the next ones in turn to the other nodes the last "hello" named (a node that
// was killed never answers again, and nothing in front of the nodes may send us elsewhere). Listeners see
// "reconnecting" (each try) and then "resumed", or "closed" when it gives up.

/** Answers that end a try to resume: the room took (or turned away) the join on the new connection. */
const ANSWERS = ['resumed', 'joined', 'lobby', 'refused'];

/** Refusals that mean "this room cannot answer yet", not "you may not": try again later. */
const NOT_YET = ['room_recovering', 'retry'];

export class Signaling {
  constructor(url = Signaling.defaultUrl()) {
    this.url = url;
    this.currentUrl = url;
    this.listeners = new Map();
    this.ws = null;
    this.nextWs = null;
    this.token = null;
    this.participantId = null;
    this.joinMessage = null;
    this.attempts = 0;
    this.route = [];
    this.ended = false;
  }

  /** Tries before giving up on a dropped connection: 0.5, 1, 2, 4, 8, then every 10 s, about two minutes in all. */
  static get MAX_ATTEMPTS() { return 16; }

  /** How long a try waits for the room's answer to its join before it counts as failed. */
  static get ANSWER_TIMEOUT_MS() { return 8000; }

  static defaultUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  /** The other nodes the current connection's hello named (WebSocket URLs), where a dropped connection may go. */
  get nodes() {
    return this.ws?.nodes || [];
  }

  connect() {
    return new Promise((resolve, reject) => {
      this.ws = this.open(this.url);
      this.ws.onopen = () => resolve(this);
      this.ws.onerror = (e) => reject(new Error('signaling connection failed'));
    });
  }

  open(url) {
    const ws = new WebSocket(url);
    ws.target = url;
    ws.nodes = [];
    ws.onclose = () => { if (ws === this.ws && !this.nextWs) this.lost(); };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      this.receive(msg, ws);
    };
    return ws;
  }

  receive(msg, ws) {
    if (msg.type === 'hello') {
      // Kept with its connection: the list of whichever connection we use is the one to fail over with.
      ws.nodes = (Array.isArray(msg.nodes) ? msg.nodes : []).filter((u) => typeof u === 'string' && /^wss?:\/\//.test(u));
    }
    if (ws !== this.ws) {
      // The connection we are moving to: it takes over once the room has answered our join on it.
      if (ws !== this.nextWs || !ANSWERS.includes(msg.type)) return;
      if (msg.type === 'refused' && NOT_YET.includes(msg.code)) {
        // The room is coming back on another node (its own was lost): this try failed, the next may not.
        this.abandon(ws);
        return;
      }
      this.takeOver(ws);
    }
    if (msg.type === 'hello') {
      if (this.token) return; // a moved connection keeps the participant's first token
      this.token = msg.sessionToken;
    }
    if (msg.type === 'joined' || msg.type === 'resumed') {
      this.participantId = msg.participantId;
      this.attempts = 0;
    }
    if (msg.type === 'removed' || msg.type === 'ended') this.ended = true;
    if (msg.type === 'reconnect') {
      this.preferred = msg.url || null;
      this.move(msg.url || this.currentUrl);
    }
    if (msg.type === 'superseded') return;
    this.emit(msg);
  }

  /** The new connection replaces the current one, whose closing is then no loss. */
  takeOver(ws) {
    clearTimeout(ws.answerTimer);
    const old = this.ws;
    this.ws = ws;
    this.nextWs = null;
    this.currentUrl = ws.target;
    this.preferred = null;
    if (old && old !== ws) {
      old.onclose = null;
      old.close();
    }
  }

  /** A try that did not work out (no answer, or the room not ready): close it and go on with the next. */
  abandon(ws) {
    if (this.nextWs !== ws) return;
    clearTimeout(ws.answerTimer);
    this.nextWs = null;
    ws.onclose = null;
    ws.close();
    this.lost();
  }

  /**
   * Continues on a new connection to {@code url} (another node, or the same URL again), resuming the participant;
   * the old one keeps working (and its closing is no loss) until the new one is resumed.
   */
  move(url) {
    const ws = this.open(url);
    if (this.nextWs) {
      this.nextWs.onclose = null;
      this.nextWs.close();
    }
    this.nextWs = ws;
    ws.onopen = () => {
      if (!this.joinMessage) {
        // Not in a room yet: simply use the new connection.
        this.takeOver(ws);
        return;
      }
      // In a room: resume the same participant; in the lobby: knock again.
      const resume = this.participantId ? { resume: this.participantId } : {};
      ws.send(JSON.stringify({ ...this.joinMessage, sessionToken: this.token, ...resume }));
      // A room whose node was lost may never answer a join sent while that node still looked alive.
      ws.answerTimer = setTimeout(() => this.abandon(ws), Signaling.ANSWER_TIMEOUT_MS);
    };
    ws.onerror = () => { if (this.nextWs === ws) this.abandon(ws); };
  }

  /**
   * The connection dropped (or a try to reopen it failed): try again later while in a room, else it is over. The
   * tries go round the same URL first (a short drop, or a balancer in front of the nodes), then each other node.
   */
  lost() {
    this.attempts += 1;
    if (this.ended || !this.joinMessage || !this.participantId || this.attempts > Signaling.MAX_ATTEMPTS) {
      this.emit({ type: 'closed' });
      return;
    }
    if (this.attempts === 1) {
      this.route = [...new Set([this.preferred, this.currentUrl, ...this.nodes].filter(Boolean))];
    }
    const url = this.route[(this.attempts - 1) % this.route.length];
    const delayMs = Math.min(10000, 500 * 2 ** (this.attempts - 1));
    this.emit({ type: 'reconnecting', attempt: this.attempts, delayMs, url });
    setTimeout(() => { if (!this.ended) this.move(url); }, delayMs);
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
    return () => this.listeners.set(type, this.listeners.get(type).filter((f) => f !== fn));
  }

  /** Resolves with the next message of one of the given types. */
  next(...types) {
    return new Promise((resolve) => {
      const offs = types.map((t) => this.on(t, (m) => { offs.forEach((off) => off()); resolve(m); }));
    });
  }

  emit(msg) {
    for (const fn of this.listeners.get(msg.type) || []) fn(msg);
    for (const fn of this.listeners.get('*') || []) fn(msg);
  }

  send(msg) {
    if (msg.type === 'join') this.joinMessage = msg;
    if (msg.type === 'leave') this.joinMessage = null;
    this.ws.send(JSON.stringify(msg));
  }

  close() {
    this.ended = true;
    if (this.ws) this.ws.close();
  }
}

// The signaling WebSocket (docs/protocol.md): JSON messages with a "type", one listener list per type.
// When the node is draining it sends "reconnect": the connection moves to another node by itself and resumes the
// participant there ("resumed"); listeners see nothing of it but that message. When the connection drops on its
// own (a network change, the node gone), it is opened again with a doubling delay and the participant resumed:
// listeners see "reconnecting" (each try) and then "resumed", or "closed" when it gives up.
export class Signaling {
  constructor(url = Signaling.defaultUrl()) {
    this.url = url;
    this.listeners = new Map();
    this.pending = [];
    this.ws = null;
    this.token = null;
    this.participantId = null;
    this.joinMessage = null;
    this.attempts = 0;
    this.ended = false;
  }

  /** Tries before giving up on a dropped connection: 0.5, 1, 2, 4, 8, then every 10 s, about two minutes in all. */
  static get MAX_ATTEMPTS() { return 16; }

  static defaultUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
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
    if (ws !== this.ws) {
      // The connection we are moving to: it takes over once the room has resumed us on it.
      if (ws !== this.nextWs || !['resumed', 'joined', 'lobby', 'refused'].includes(msg.type)) return;
      const old = this.ws;
      this.ws = ws;
      this.nextWs = null;
      old.onclose = null;
      old.close();
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
    if (msg.type === 'reconnect') this.move(msg.url);
    if (msg.type === 'superseded') return;
    this.emit(msg);
  }

  /**
   * Continues on a new connection (another node), resuming the participant; the old one keeps working (and its
   * closing is no loss) until the new one is resumed.
   */
  move(url) {
    this.currentUrl = url || this.currentUrl || this.url;
    const ws = this.open(this.currentUrl);
    this.nextWs = ws;
    ws.onopen = () => {
      if (!this.joinMessage) {
        // Not in a room yet: simply use the new connection.
        const old = this.ws;
        this.ws = ws;
        this.nextWs = null;
        old.onclose = null;
        old.close();
        return;
      }
      // In a room: resume the same participant; in the lobby: knock again.
      const resume = this.participantId ? { resume: this.participantId } : {};
      ws.send(JSON.stringify({ ...this.joinMessage, sessionToken: this.token, ...resume }));
    };
    ws.onerror = () => { if (this.nextWs === ws) { this.nextWs = null; this.lost(); } };
  }

  /** The connection dropped (or a try to reopen it failed): try again later while in a room, else it is over. */
  lost() {
    this.attempts += 1;
    if (this.ended || !this.joinMessage || !this.participantId || this.attempts > Signaling.MAX_ATTEMPTS) {
      this.emit({ type: 'closed' });
      return;
    }
    const delayMs = Math.min(10000, 500 * 2 ** (this.attempts - 1));
    this.emit({ type: 'reconnecting', attempt: this.attempts, delayMs });
    setTimeout(() => { if (!this.ended) this.move(this.currentUrl); }, delayMs);
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

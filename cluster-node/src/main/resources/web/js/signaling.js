// The signaling WebSocket (docs/protocol.md): JSON messages with a "type", one listener list per type.
export class Signaling {
  constructor(url = Signaling.defaultUrl()) {
    this.url = url;
    this.listeners = new Map();
    this.pending = [];
    this.ws = null;
  }

  static defaultUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  connect() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.url);
      this.ws.onopen = () => resolve(this);
      this.ws.onerror = (e) => reject(new Error('signaling connection failed'));
      this.ws.onclose = () => this.emit({ type: 'closed' });
      this.ws.onmessage = (e) => {
        let msg;
        try {
          msg = JSON.parse(e.data);
        } catch {
          return;
        }
        this.emit(msg);
      };
    });
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
    this.ws.send(JSON.stringify(msg));
  }

  close() {
    if (this.ws) this.ws.close();
  }
}

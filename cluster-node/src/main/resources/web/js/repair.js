// Bounded self-repair of one media connection (the sending or the receiving one) whose path broke: its router's
// node died, or the network changed. First an ICE restart; if the connection is not back a few seconds later, it
// is made anew, each further time waiting twice as long; after the last it is left alone, and what the server
// says (mediaMoved, publish_closed, a fresh subscribeOffer) starts it again.
export class ConnectionRepair {
  /**
   * restart(): an ICE restart on the same connection; replace(): a new connection. Either may return a promise.
   * graceMs: how long "disconnected" may last before we act (it often recovers by itself); settleMs: how long a
   * step has to bring the connection back before the next.
   */
  constructor({ restart, replace, graceMs = 2000, settleMs = 4000, maxReplacements = 3, log = () => {} }) {
    this.restart = restart;
    this.replace = replace;
    this.graceMs = graceMs;
    this.settleMs = settleMs;
    this.maxReplacements = maxReplacements;
    this.log = log;
    this.history = []; // every step taken and when (ms since the epoch), for diagnosis
    this.reset();
  }

  /** A connection made for another reason (publishing, a move): nothing to repair, nothing tried yet. */
  reset() {
    clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null; // 'grace' or 'settle' while a timer runs
    this.state = 'new';
    this.restarted = false;
    this.replacements = 0;
  }

  /** The watched connection's connectionState, whenever it changes. */
  update(state) {
    this.state = state;
    if (state === 'connected') {
      this.reset();
      this.state = 'connected';
    } else if (state === 'failed' && this.waiting !== 'settle') {
      this.step();
    } else if (state === 'disconnected' && !this.waiting) {
      this.wait('grace', this.graceMs);
    }
  }

  /** The far end says the connection is gone (the router closed it): no ICE restart can help, replace it now. */
  gone() {
    this.restarted = true;
    this.step();
  }

  /**
   * The signaling connection is back after a drop. What a repair sent meanwhile (an offer with new ICE credentials,
   * a restartIce request) went out on the dead socket and was lost, and its steps may be used up: a connection that
   * is still disconnected or failed starts its repair again, from the ICE restart.
   */
  signalingBack() {
    if (this.state !== 'disconnected' && this.state !== 'failed') return;
    const state = this.state;
    this.reset();
    this.state = state;
    this.step();
  }

  step() {
    if (!this.restarted) {
      this.restarted = true;
      this.run('restart', this.restart);
      this.wait('settle', this.settleMs);
      return;
    }
    if (this.replacements >= this.maxReplacements) {
      this.stop();
      return;
    }
    const settle = this.settleMs * 2 ** this.replacements;
    this.replacements += 1;
    this.run('replace', this.replace);
    this.wait('settle', settle);
  }

  run(name, action) {
    this.history.push({ step: name, at: Date.now() });
    if (this.history.length > 40) this.history.shift();
    this.log(name);
    Promise.resolve().then(action).catch((e) => this.log(`${name} failed: ${e.message || e}`));
  }

  wait(kind, ms) {
    clearTimeout(this.timer);
    this.waiting = kind;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.waiting = null;
      if (this.state !== 'connected') this.step();
    }, ms);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null;
  }
}

// Connection indicators: per tile bitrate, loss, resolution and frame rate from getStats(), and the estimated
// bandwidth of our own sending connection.
export class ConnectionStats {
  constructor(meeting) {
    this.meeting = meeting;
    this.previous = new Map(); // stats id -> { bytes, packets, lost, timestamp }
    this.timer = null;
  }

  start() {
    this.timer = setInterval(() => this.update().catch(() => {}), 2000);
  }

  stop() {
    clearInterval(this.timer);
  }

  /** Bit rate and loss since the previous reading of the same RTP stream. */
  delta(id, bytes, packets, lost, timestamp) {
    const before = this.previous.get(id);
    this.previous.set(id, { bytes, packets, lost, timestamp });
    if (!before || timestamp <= before.timestamp) return { kbps: 0, loss: 0 };
    const seconds = (timestamp - before.timestamp) / 1000;
    const dPackets = packets - before.packets;
    const dLost = Math.max(0, lost - before.lost);
    return {
      kbps: Math.round(((bytes - before.bytes) * 8) / 1000 / seconds),
      loss: dPackets + dLost > 0 ? dLost / (dPackets + dLost) : 0,
    };
  }

  async update() {
    const m = this.meeting;
    const byTrack = new Map(); // remote track id -> figures
    const receiving = [m.media.subscriber, m.p2p?.pc].filter(Boolean);
    for (const pc of receiving) {
      (await pc.getStats()).forEach((r) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
        const d = this.delta(r.id, r.bytesReceived || 0, r.packetsReceived || 0, r.packetsLost || 0, r.timestamp);
        byTrack.set(r.trackIdentifier, { ...d, width: r.frameWidth, height: r.frameHeight, fps: r.framesPerSecond });
      });
    }
    let own = null;
    const sending = m.p2p?.pc || m.media.publisher;
    if (sending) {
      const pub = await sending.getStats();
      let kbps = 0;
      let width = 0;
      let height = 0;
      let fps = 0;
      let estimate = 0;
      let loss = 0;
      pub.forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') {
          kbps += this.delta(r.id, r.bytesSent || 0, r.packetsSent || 0, 0, r.timestamp).kbps;
          if ((r.frameWidth || 0) > width) {
            width = r.frameWidth;
            height = r.frameHeight;
            fps = r.framesPerSecond || 0;
          }
        }
        if (r.type === 'remote-inbound-rtp' && r.kind === 'video') loss = Math.max(loss, r.fractionLost || 0);
        if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate) estimate = r.availableOutgoingBitrate;
      });
      own = { kbps, loss, width, height, fps, estimate };
    }
    for (const t of m.tiles.tiles.values()) {
      const s = t.participantId === m.myId ? (t.kind === 'camera' ? own : null) : t.track ? byTrack.get(t.track.id) : null;
      if (!s) continue;
      const lines = [`${s.kbps} kbit/s`, `loss ${(s.loss * 100).toFixed(1)} %`];
      if (s.width) lines.push(`${s.width}x${s.height}${s.fps ? ` @ ${Math.round(s.fps)} fps` : ''}`);
      if (s.estimate) lines.push(`bandwidth ${Math.round(s.estimate / 1000)} kbit/s`);
      t.stats.textContent = lines.join('\n');
      t.stats.dataset.kbps = String(s.kbps);
      t.stats.dataset.width = String(s.width || 0);
      t.quality.className = `quality${s.loss > 0.1 ? ' bad' : s.loss > 0.02 ? ' poor' : ''}`;
    }
  }
}

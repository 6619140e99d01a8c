// Media through the node's router: one sending PeerConnection (we offer, the router answers) and one receiving
// PeerConnection (the router offers the room's tracks, we answer). Remote tracks arrive with the publisher's
// participant id as their stream id.
const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 2_500_000 },
];

export class MediaSession {
  constructor(signaling, {
    onTrack = () => {}, onTrackEnded = () => {}, iceServers = [], simulcast = true, iceUdp = true, transform = null,
  } = {}) {
    this.signaling = signaling;
    // transform: { sender(RTCRtpSender), receiver(RTCRtpReceiver) }, e.g. end-to-end encryption of every frame.
    this.transform = transform;
    // iceUdp: false keeps only the router's TCP candidates (RFC 6544), for networks that let no UDP through.
    this.remoteSdp = iceUdp ? (sdp) => sdp
      : (sdp) => sdp.split('\r\n').filter((l) => !/^a=candidate:\S+ \d+ udp /i.test(l)).join('\r\n');
    this.simulcast = simulcast;
    this.onTrack = onTrack;
    this.onTrackEnded = onTrackEnded;
    this.config = { iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
    this.publisher = null;
    this.subscriber = null;
    this.offers = Promise.resolve();
    this.remote = new Map(); // trackId -> { participantId, track }
    signaling.on('subscribeOffer', (m) => {
      this.offers = this.offers.then(() => this.answer(m.sdp, m.fresh)).catch((e) => console.warn('subscribe', e));
    });
    // Our media moved to another node's router (this one drains): both connections start again there.
    this.onMoved = () => {};
    signaling.on('mediaMoved', () => {
      this.offers = this.offers.then(() => this.moved()).catch((e) => console.warn('move', e));
    });
  }

  /**
   * Publishes everything we sent on a new connection to the new router; resolves with a map from old to new
   * transceivers (for tracks added with addTrack, e.g. a screen share). The receiving connection is replaced by the
   * new router's first offer.
   */
  async moved() {
    this.subscriber?.close();
    this.subscriber = null;
    const old = this.publisher;
    if (!old) return new Map();
    const extra = old.getTransceivers().filter((t) => t.sender.track && !this.stream?.getTracks().includes(t.sender.track)
      && t.currentDirection !== 'stopped');
    await this.publish(this.stream);
    const map = new Map();
    for (const t of extra) {
      const track = t.sender.track;
      map.set(t, await this.addTrack(track, new MediaStream([track])));
    }
    this.onMoved(map);
    return map;
  }

  /** New STUN/TURN servers (fresh credentials) for both connections, used from their next ICE gathering on. */
  setIceServers(iceServers) {
    this.config = { ...this.config, iceServers };
    for (const pc of [this.publisher, this.subscriber]) pc?.setConfiguration({ ...pc.getConfiguration(), iceServers });
  }

  /** Sends the stream's tracks; resolves once the router has answered. */
  async publish(stream) {
    if (this.publisher) this.publisher.close();
    stream = stream || new MediaStream();
    const pc = new RTCPeerConnection(this.config);
    this.publisher = pc;
    this.stream = stream;
    for (const track of stream.getTracks()) {
      const init = { direction: 'sendonly', streams: [stream] };
      // Camera video goes out in three layers (RFC 8853 rids); the router gives each receiver the one that fits.
      // The browser drops the layers its resolution cannot carry (e.g. one layer below 480x270).
      if (track.kind === 'video' && this.simulcast) init.sendEncodings = SIMULCAST_LAYERS.map((l) => ({ ...l }));
      const transceiver = pc.addTransceiver(track, init);
      this.transform?.sender(transceiver.sender);
    }
    // A lost path (network change) is repaired with an ICE restart: a new offer on the same connection.
    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === 'failed') this.renegotiate({ iceRestart: true }).catch(() => {});
    };
    await this.renegotiate();
    return pc;
  }

  /** Adds a track to what we send (e.g. a screen share) with a renegotiation of the sending connection. */
  async addTrack(track, stream) {
    const transceiver = this.publisher.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    this.transform?.sender(transceiver.sender);
    await this.renegotiate();
    return transceiver;
  }

  /** Stops sending a track added with addTrack. */
  async removeTrack(transceiver) {
    transceiver.stop();
    await this.renegotiate();
  }

  async renegotiate(options = {}) {
    const pc = this.publisher;
    await pc.setLocalDescription(await pc.createOffer(options));
    const reply = this.signaling.next('publishAnswer', 'error');
    this.signaling.send({ type: 'publish', sdp: pc.localDescription.sdp });
    const msg = await reply;
    if (msg.type === 'error') throw new Error(`${msg.code}: ${msg.message}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: this.remoteSdp(msg.sdp) });
  }

  /** Replaces a sent track (camera <-> screen, device change) without renegotiation. */
  async replaceTrack(kind, track) {
    const sender = this.publisher?.getSenders().find((s) => s.track?.kind === kind || (!s.track && kind));
    if (sender) await sender.replaceTrack(track);
  }

  async answer(sdp, fresh) {
    if (fresh && this.subscriber) {
      this.subscriber.close();
      this.subscriber = null;
    }
    if (!this.subscriber) {
      this.subscriber = new RTCPeerConnection(this.config);
      const sub = this.subscriber;
      sub.oniceconnectionstatechange = () => {
        if (sub.iceConnectionState === 'failed') this.signaling.send({ type: 'restartIce' });
      };
      this.subscriber.ontrack = (e) => {
        const participantId = e.streams[0]?.id;
        const trackId = e.streams[0] ? e.track.id : e.transceiver.mid;
        this.remote.set(e.transceiver.mid, { participantId, track: e.track });
        this.transform?.receiver(e.receiver);
        this.onTrack(participantId, e.track, e.streams[0], e.transceiver.mid);
        e.streams[0]?.addEventListener('removetrack', (ev) => {
          if (ev.track === e.track) this.onTrackEnded(participantId, e.track, e.transceiver.mid);
        });
      };
    }
    const pc = this.subscriber;
    await pc.setRemoteDescription({ type: 'offer', sdp: this.remoteSdp(sdp) });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.signaling.send({ type: 'subscribeAnswer', sdp: pc.localDescription.sdp });
  }

  /** Inbound and outbound RTP statistics of both connections, flattened. */
  async stats() {
    const out = { inbound: [], outbound: [] };
    for (const pc of [this.subscriber, this.publisher]) {
      if (!pc) continue;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === 'inbound-rtp') out.inbound.push(s);
        if (s.type === 'outbound-rtp') out.outbound.push(s);
      });
    }
    return out;
  }

  close() {
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
  }
}

// Media through the node's router: one sending PeerConnection (we offer, the router answers) and one receiving
// PeerConnection (the router offers the room's tracks, we answer). Remote tracks arrive with the publisher's
// participant id as their stream id. A connection whose path breaks repairs itself (ConnectionRepair).
import { ConnectionRepair } from './repair.js';

const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 2_500_000 },
];

/** How long a publish offer waits for the router's answer (the router's node may have died under us). */
const ANSWER_TIMEOUT_MS = 10000;

export class MediaSession {
  constructor(signaling, {
    onTrack = () => {}, onTrackEnded = () => {}, iceServers = [], simulcast = true, iceUdp = true, transform = null,
    encodings = (list) => list,
  } = {}) {
    this.signaling = signaling;
    // transform: { sender(RTCRtpSender), receiver(RTCRtpReceiver) }, e.g. end-to-end encryption of every frame.
    this.transform = transform;
    // iceUdp: false keeps only the router's TCP candidates (RFC 6544), for networks that let no UDP through.
    this.remoteSdp = iceUdp ? (sdp) => sdp
      : (sdp) => sdp.split('\r\n').filter((l) => !/^a=candidate:\S+ \d+ udp /i.test(l)).join('\r\n');
    this.simulcast = simulcast;
    // encodings(list, track): the camera's simulcast encodings as a new sending connection starts them (the video
    // quality chosen: which layers are active).
    this.encodings = encodings;
    this.onTrack = onTrack;
    this.onTrackEnded = onTrackEnded;
    this.config = { iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
    this.publisher = null;
    this.subscriber = null;
    this.offers = Promise.resolve();
    this.remote = new Map(); // mid -> { participantId, track }
    this.routerTrackIds = new Map(); // mid -> the router's track id, from its last offer
    signaling.on('subscribeOffer', (m) => this.queue('subscribe', () => this.answer(m.sdp, m.fresh)));
    // Our media moved to another node's router (its node drains, sheds load or died): both connections start again.
    this.onRepublished = () => {};
    signaling.on('mediaMoved', () => {
      // A repair's offer still waiting for its answer went to the router we are leaving, whose path had already
      // broken (its node died, most likely): stop waiting for it.
      this.abandonRestart?.();
      this.queue('move', () => this.moved());
    });
    // A broken path is repaired by ICE restarts; a sending connection that stays broken is made anew (the router
    // answers a new connection from wherever our media is now). A new receiving connection is the server's to offer
    // (after transport_closed, or mediaMoved): the protocol lets us ask only for ICE restarts of it.
    this.publishRepair = new ConnectionRepair({
      restart: () => this.queue('ice restart', () => this.renegotiate({ iceRestart: true }, { abandonable: true })),
      replace: () => this.queue('republish', () => this.republish({ keepSubscriber: true, abandonable: true })),
      log: (step) => console.info('sending connection:', step),
    });
    const restartIce = () => this.signaling.send({ type: 'restartIce' });
    this.subscribeRepair = new ConnectionRepair({
      restart: restartIce, replace: restartIce, log: (step) => console.info('receiving connection:', step),
    });
    signaling.on('error', (m) => { if (m.code === 'publish_closed' && this.publisher) this.publishRepair.gone(); });
    signaling.on('resumed', () => {
      this.publishRepair.signalingBack();
      this.subscribeRepair.signalingBack();
    });
  }

  /** Runs media negotiations one after another, in the order they come. */
  queue(what, step) {
    this.offers = this.offers.then(step).catch((e) => console.warn(what, e));
    return this.offers;
  }

  /**
   * Publishes everything we sent on new connections to the new router; resolves with a map from old to new
   * transceivers (for tracks added with addTrack, e.g. a screen share). The receiving connection is replaced by the
   * new router's first offer.
   */
  async moved() {
    this.publishRepair.reset();
    this.subscribeRepair.reset();
    return this.republish({ keepSubscriber: false });
  }

  /** Sends what we sent on a new sending connection (and, unless kept, drops the receiving one). */
  async republish({ keepSubscriber, abandonable = false }) {
    if (!keepSubscriber) {
      this.subscriber?.close();
      this.subscriber = null;
    }
    const old = this.publisher;
    if (!old) return new Map();
    // Tracks added with addTrack (a screen share); kept until sent again, so a republish that did not get through
    // leaves them to the next.
    const extra = this.unsent || old.getTransceivers()
      .filter((t) => t.sender.track && !this.stream?.getTracks().includes(t.sender.track) && t.currentDirection !== 'stopped')
      .map((t) => ({ transceiver: t, track: t.sender.track }));
    this.unsent = extra;
    await this.openPublisher(this.stream, { abandonable });
    const map = new Map();
    for (const { transceiver, track } of extra) {
      if (track.readyState === 'live') map.set(transceiver, await this.addTrack(track, new MediaStream([track])));
    }
    this.unsent = null;
    this.onRepublished(map);
    return map;
  }

  /** New STUN/TURN servers (fresh credentials) for both connections, used from their next ICE gathering on. */
  setIceServers(iceServers) {
    this.config = { ...this.config, iceServers };
    for (const pc of [this.publisher, this.subscriber]) pc?.setConfiguration({ ...pc.getConfiguration(), iceServers });
  }

  /** Sends the stream's tracks; resolves once the router has answered. */
  async publish(stream) {
    this.publishRepair.reset();
    this.unsent = null;
    return this.openPublisher(stream);
  }

  async openPublisher(stream, { abandonable = false } = {}) {
    if (this.publisher) this.publisher.close();
    stream = stream || new MediaStream();
    const pc = new RTCPeerConnection(this.config);
    this.publisher = pc;
    this.stream = stream;
    for (const track of stream.getTracks()) {
      const init = { direction: 'sendonly', streams: [stream] };
      // Camera video goes out in three layers (RFC 8853 rids); the router gives each receiver the one that fits.
      // The browser drops the layers its resolution cannot carry (e.g. one layer below 480x270).
      if (track.kind === 'video' && this.simulcast) {
        init.sendEncodings = this.encodings(SIMULCAST_LAYERS.map((l) => ({ ...l })), track);
      }
      const transceiver = pc.addTransceiver(track, init);
      this.transform?.sender(transceiver.sender);
    }
    pc.onconnectionstatechange = () => { if (pc === this.publisher) this.publishRepair.update(pc.connectionState); };
    await this.renegotiate({}, { abandonable });
    return pc;
  }

  /** Adds a track to what we send (e.g. a screen share) with a renegotiation of the sending connection. */
  async addTrack(track, stream) {
    const pc = this.publisher;
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    this.transform?.sender(transceiver.sender);
    try {
      await this.renegotiate();
    } catch (e) {
      // Not answered (a screen the meeting or our invitation does not allow): take the offer back and the track
      // out, so later offers (ICE restarts, the next share) are what the router already accepted.
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      transceiver.stop();
      throw e;
    }
    return transceiver;
  }

  /** Stops sending a track added with addTrack. */
  async removeTrack(transceiver) {
    transceiver.stop();
    await this.renegotiate();
  }

  /** A new offer on the sending connection; abandonable: a mediaMoved ends the wait for its answer. */
  async renegotiate(options = {}, { abandonable = false } = {}) {
    const pc = this.publisher;
    if (!pc) return;
    await pc.setLocalDescription(await pc.createOffer(options));
    const reply = this.signaling.next('publishAnswer', 'error');
    this.signaling.send({ type: 'publish', sdp: pc.localDescription.sdp });
    let timer;
    const given = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ type: 'error', code: 'timeout', message: 'no answer from the router' }),
        ANSWER_TIMEOUT_MS);
      if (abandonable) this.abandonRestart = () => resolve({ type: 'error', code: 'moved', message: 'media moved' });
    });
    const msg = await Promise.race([reply, given]);
    clearTimeout(timer);
    if (abandonable) this.abandonRestart = null;
    if (msg.type === 'error') throw new Error(`${msg.code}: ${msg.message}`);
    if (pc !== this.publisher) return; // replaced while the router answered
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
      this.subscribeRepair.reset();
      const sub = this.subscriber;
      sub.onconnectionstatechange = () => { if (sub === this.subscriber) this.subscribeRepair.update(sub.connectionState); };
      this.subscriber.ontrack = (e) => {
        const participantId = e.streams[0]?.id;
        const routerTrackId = this.routerTrackIds.get(e.transceiver.mid) || e.track.id;
        this.remote.set(e.transceiver.mid, { participantId, track: e.track });
        this.transform?.receiver(e.receiver);
        this.onTrack(participantId, e.track, e.streams[0], e.transceiver.mid, routerTrackId);
        e.streams[0]?.addEventListener('removetrack', (ev) => {
          if (ev.track === e.track) this.onTrackEnded(participantId, e.track, e.transceiver.mid, routerTrackId);
        });
      };
    }
    const pc = this.subscriber;
    // Read before the tracks arrive (ontrack fires within setRemoteDescription).
    this.routerTrackIds = MediaSession.routerTrackIds(sdp);
    await pc.setRemoteDescription({ type: 'offer', sdp: this.remoteSdp(sdp) });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.signaling.send({ type: 'subscribeAnswer', sdp: pc.localDescription.sdp });
  }

  /**
   * The router's id of the track in each m-section of its offer, by mid: the track id of the section's a=msid
   * ("participantId-mid-...", docs/protocol.md). Chromium gives a received track that id; Firefox gives it one of
   * its own (W3C WebRTC §5.3: a receiver's track has an id of its own), so the client reads it from the offer.
   */
  static routerTrackIds(sdp) {
    const ids = new Map();
    for (const section of sdp.split(/\r?\nm=/).slice(1)) {
      const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
      const track = /^a=msid:\S+ (\S+)/m.exec(section)?.[1];
      if (mid && track) ids.set(mid, track);
    }
    return ids;
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
    this.publishRepair.stop();
    this.subscribeRepair.stop();
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
  }
}

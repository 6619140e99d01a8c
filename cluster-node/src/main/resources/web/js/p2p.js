// A direct call between the two people of a two-person meeting: media goes browser to browser (DTLS-SRTP end to
// end); the node only relays the call setup as "peer" messages. Both sides may start negotiating at once, so this
// follows the "perfect negotiation" pattern: the polite side yields when offers collide.
export class PeerCall {
  constructor(signaling, remoteId, { polite, iceServers = [], transform = null, onTrack, onTrackEnded }) {
    this.signaling = signaling;
    this.remoteId = remoteId;
    this.polite = polite;
    this.transform = transform;
    this.onTrack = onTrack;
    this.onTrackEnded = onTrackEnded;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.closed = false;
    this.events = []; // the last steps of the call setup, for diagnosis
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc.onicecandidate = ({ candidate }) => this.send({ candidate: candidate ? candidate.toJSON() : null });
    this.pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        this.send({ description: this.pc.localDescription.toJSON() });
      } catch (e) {
        this.note(`offer error ${e}`);
      } finally {
        this.makingOffer = false;
      }
    };
    this.pc.ontrack = (e) => {
      this.transform?.receiver(e.receiver);
      const mid = Number(e.transceiver.mid);
      this.onTrack(e.track, mid);
      e.track.addEventListener('ended', () => this.onTrackEnded(e.track, mid));
    };
  }

  /** New STUN/TURN servers (fresh credentials), used from the next ICE gathering on. */
  setIceServers(iceServers) {
    this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
  }

  note(what) {
    this.events.push(`${Math.round(performance.now())} ${what}`);
    if (this.events.length > 40) this.events.shift();
  }

  send(payload) {
    this.note(`send ${payload.description ? payload.description.type : payload.candidate ? 'candidate' : 'end'}`);
    if (!this.closed) this.signaling.send({ type: 'peer', to: this.remoteId, payload });
  }

  /**
   * Sends our camera and microphone. The impolite side offers at once; the polite side waits for that offer and
   * answers with its tracks on the offered m-sections, so the first exchange never collides.
   */
  start(stream) {
    if (this.polite) {
      this.deferred = stream;
      return;
    }
    for (const track of stream.getTracks()) this.addTrack(track, stream);
  }

  addTrack(track, stream) {
    const sender = this.pc.addTrack(track, stream);
    this.transform?.sender(sender);
    return this.pc.getTransceivers().find((t) => t.sender === sender);
  }

  removeTrack(transceiver) {
    transceiver.stop();
  }

  async handle(payload) {
    const { description, candidate } = payload;
    this.note(`got ${description ? description.type : candidate ? 'candidate' : 'end'} in ${this.pc.signalingState}${this.makingOffer ? ' making offer' : ''}`);
    try {
      if (description) {
        const collision = description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer) return;
        await this.pc.setRemoteDescription(description);
        if (description.type === 'offer' && this.deferred) {
          // addTrack now reuses the offered transceivers, which then send and receive.
          const stream = this.deferred;
          this.deferred = null;
          for (const track of stream.getTracks()) this.addTrack(track, stream);
        }
        if (description.type === 'offer') {
          await this.pc.setLocalDescription();
          this.send({ description: this.pc.localDescription.toJSON() });
        }
      } else if (candidate) {
        await this.pc.addIceCandidate(candidate);
      }
    } catch (e) {
      this.note(`error ${e}`);
      if (!this.ignoreOffer) console.warn('p2p', e);
    }
  }

  connected() {
    return this.pc.connectionState === 'connected';
  }

  close() {
    this.closed = true;
    this.pc.close();
  }
}

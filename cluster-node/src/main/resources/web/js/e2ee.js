// End-to-end encryption for a meeting: every participant who types the same passphrase derives the same AES key
// (PBKDF2 over the passphrase, salted with the meeting name), and every sent and received frame goes through
// e2ee-worker.js. Participants with another passphrase, and the bridge, see only ciphertext.
export class E2ee {
  static supported() {
    return typeof RTCRtpScriptTransform === 'function' && !!crypto.subtle;
  }

  static async create(passphrase, roomId) {
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false,
      ['deriveKey']);
    const key = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', salt: new TextEncoder().encode(`lchat-e2ee:${roomId}`), iterations: 100000, hash: 'SHA-256' },
      material, { name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
    return new E2ee(key);
  }

  constructor(key) {
    this.worker = new Worker('/js/e2ee-worker.js');
    this.worker.postMessage({ type: 'key', key });
    this.failures = 0;
    this.worker.onmessage = (e) => { if (e.data.type === 'failures') this.failures = e.data.failures; };
  }

  sender(sender) {
    sender.transform = new RTCRtpScriptTransform(this.worker, { operation: 'encrypt', kind: sender.track?.kind });
  }

  receiver(receiver) {
    receiver.transform = new RTCRtpScriptTransform(this.worker, { operation: 'decrypt', kind: receiver.track.kind });
  }

  close() {
    this.worker.terminate();
  }
}

// End-to-end encryption of encoded frames (RTCRtpScriptTransform): AES-GCM with a key from the meeting passphrase.
// The bridge only forwards; it never has the key. A frame keeps its first bytes in the clear (VP8: the frame
// header, 10 bytes on a keyframe and 3 otherwise, so the bridge can still tell keyframes; Opus: the TOC byte),
// and becomes: clear bytes | ciphertext and tag | 12-byte IV | 1 byte: number of clear bytes.
let key = null;
let failures = 0;

self.onmessage = (e) => {
  if (e.data.type === 'key') key = e.data.key;
};

function clearBytes(frame, kind) {
  if (kind === 'audio') return 1;
  return frame.type === 'key' ? 10 : 3;
}

async function encrypt(frame, controller, kind) {
  if (!key) {
    controller.enqueue(frame);
    return;
  }
  const data = new Uint8Array(frame.data);
  const n = Math.min(clearBytes(frame, kind), data.length);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const header = data.subarray(0, n);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key,
    data.subarray(n)));
  const out = new Uint8Array(n + sealed.length + 13);
  out.set(header, 0);
  out.set(sealed, n);
  out.set(iv, n + sealed.length);
  out[out.length - 1] = n;
  frame.data = out.buffer;
  controller.enqueue(frame);
}

async function decrypt(frame, controller) {
  const data = new Uint8Array(frame.data);
  if (!key || data.length < 14) return; // no key, or not one of ours: nothing to decode
  const n = data[data.length - 1];
  if (n > data.length - 13) return;
  const iv = data.subarray(data.length - 13, data.length - 1);
  const header = data.subarray(0, n);
  try {
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header }, key,
      data.subarray(n, data.length - 13)));
    const out = new Uint8Array(n + plain.length);
    out.set(header, 0);
    out.set(plain, n);
    frame.data = out.buffer;
    controller.enqueue(frame);
  } catch {
    // A different passphrase: the frame is dropped, never shown as garbage.
    failures++;
    self.postMessage({ type: 'failures', failures });
  }
}

self.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  const transform = new TransformStream({
    transform: (frame, controller) => (options.operation === 'encrypt'
      ? encrypt(frame, controller, options.kind) : decrypt(frame, controller)),
  });
  readable.pipeThrough(transform).pipeTo(writable).catch(() => {});
};

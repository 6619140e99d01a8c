package uk.co.lchat.node.presentation;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import uk.co.lchat.room.RoomProtocol.DocumentDropped;

/**
 * The presented documents whose uploads reached this node, in memory only (never on disk), each kept until its
 * room drops it ({@link DocumentDropped}: the presenter stopped or left, the feature went off, the room ended). The
 * room's state says which node holds a document ({@code servedBy}), so members on other nodes are served through it.
 * What it holds, with the uploads on their way, stays within a budget: an upload reserves its size before a byte
 * is read ({@link #reserve}), and the reservation becomes its document's or is given back.
 */
public final class PresentationStore {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One document: its room, its bytes, its page count, when it came ({@code System.nanoTime()}) and its fetch key
   * (128 random bits: what the room's recorder, which is no member, shows to fetch it).
   */
  public record Document(String roomId, byte[] bytes, int pages, long addedNanos, String fetchKey) {
    /** Whether {@code key} is this document's fetch key (compared in constant time). */
    public boolean fetchableWith(String key) {
      return key != null && java.security.MessageDigest.isEqual(
          fetchKey.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          key.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
  }

  private final Map<String, Document> documents = new ConcurrentHashMap<>();
  private final long maxTotalBytes;
  /** Bytes of the documents held and of the uploads reserved. */
  private final AtomicLong held = new AtomicLong();

  public PresentationStore(long maxTotalBytes) {
    this.maxTotalBytes = maxTotalBytes;
  }

  /** Sets aside {@code bytes} of the budget for an upload on its way; false if that would go over it. */
  public boolean reserve(long bytes) {
    for (long now = held.get(); now + bytes <= maxTotalBytes; now = held.get()) {
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
    return false;
  }

  /** Gives back {@code bytes} reserved for an upload that is not (or no longer all) kept. */
  public void release(long bytes) {
    held.addAndGet(-bytes);
  }

  /** Bytes held and reserved now. */
  public long heldBytes() {
    return held.get();
  }

  /**
   * Keeps {@code bytes} under a new id: 128 random bits, 22 base64url characters, unguessable. Their reservation
   * ({@link #reserve}) is the document's from now on, given back when it is removed.
   */
  public String add(String roomId, byte[] bytes, int pages) {
    String documentId = random128();
    documents.put(documentId, new Document(roomId, bytes, pages, System.nanoTime(), random128()));
    return documentId;
  }

  private static String random128() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
  }

  /** The document, if this node holds it for that room. */
  public Document get(String roomId, String documentId) {
    Document d = documents.get(documentId);
    return d != null && d.roomId().equals(roomId) ? d : null;
  }

  public void remove(String documentId) {
    Document d = documents.remove(documentId);
    if (d != null) {
      release(d.bytes().length);
    }
  }

  /** The documents held for at least {@code age} (id to document): those whose room had time to take them. */
  public Map<String, Document> heldFor(java.time.Duration age) {
    long now = System.nanoTime();
    Map<String, Document> old = new java.util.HashMap<>();
    documents.forEach((id, d) -> {
      if (now - d.addedNanos() >= age.toNanos()) {
        old.put(id, d);
      }
    });
    return old;
  }

  /** How many documents this node holds. */
  public int size() {
    return documents.size();
  }

  /** The actor rooms tell when they drop a document of this node's. */
  public Behavior<DocumentDropped> holder() {
    return Behaviors.receive(DocumentDropped.class)
        .onMessage(DocumentDropped.class, m -> {
          Document d = documents.get(m.documentId());
          if (d != null && d.roomId().equals(m.roomId())) {
            remove(m.documentId());
          }
          return Behaviors.same();
        })
        .build();
  }
}

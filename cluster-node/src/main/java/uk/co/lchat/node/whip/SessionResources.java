package uk.co.lchat.node.whip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * This node's live WHIP and WHEP sessions, each under an unguessable resource id, with the credential its POST
 * presented. Whoever ends or changes a session (DELETE, PATCH) must know the id and present that same credential:
 * the roster's participant ids are public to every member, so they never name a resource.
 *
 * <p>A session keeps the credential it was created with, so a room whose passcode changes later does not cut off
 * the publishers and viewers it already let in (their new requests to the room need the new passcode).
 */
public final class SessionResources {
  /** 16 bytes: RFC 9725 §4.1 asks for resource URLs with at least 128 bits of entropy. */
  private static final int ID_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  public enum Protocol { WHIP, WHEP }

  /** What a DELETE or PATCH finds. */
  public sealed interface Lookup {}

  public record Found(ActorRef<Object> session, String participantId) implements Lookup {}

  /** No session under that id (ended, or never existed): RFC 9725 §4.1's 404. */
  public record NotFound() implements Lookup {}

  /** The session was created with a credential and the request presents none (401). */
  public record Unauthorized() implements Lookup {}

  /** The request presents a credential, but not the session's (403, RFC 9110 §15.5.4). */
  public record Forbidden() implements Lookup {}

  private record Entry(Protocol protocol, String roomId, byte[] credential, ActorRef<Object> session,
                       String participantId) {}

  private final Map<String, Entry> byId = new ConcurrentHashMap<>();

  /** A fresh resource id: 128 random bits as 22 characters of base64url (RFC 4648 §5), fit for a URL path. */
  public static String newId() {
    byte[] bytes = new byte[ID_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Registers a session that the room let in; {@code credential} is the POST's bearer token, or null. */
  public void open(String id, Protocol protocol, String roomId, String credential, ActorRef<Object> session,
                   String participantId) {
    byId.put(id, new Entry(protocol, roomId, digest(credential), session, participantId));
  }

  /** The session ended (left, removed, its connection closed): its URL answers 404 from now on. */
  public void close(String id) {
    byId.remove(id);
  }

  public int size() {
    return byId.size();
  }

  /** The session at {@code /protocol/roomId/id}, if {@code credential} (a bearer token, or null) may act on it. */
  public Lookup find(Protocol protocol, String roomId, String id, String credential) {
    Entry e = id == null ? null : byId.get(id);
    if (e == null || e.protocol() != protocol || !e.roomId().equals(roomId)) {
      return new NotFound();
    }
    if (e.credential() != null) {
      if (credential == null) {
        return new Unauthorized();
      }
      // Constant time, so a wrong guess learns nothing from how long the answer took.
      if (!MessageDigest.isEqual(e.credential(), digest(credential))) {
        return new Forbidden();
      }
    }
    // A session created without a credential (a room with no passcode) is held by its unguessable URL alone.
    return new Found(e.session(), e.participantId());
  }

  /** Only a digest is kept: the node holds no room passcode in plain text beyond the request that carried it. */
  private static byte[] digest(String credential) {
    if (credential == null) {
      return null;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}

package uk.co.lchat.room;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** A room passcode kept only as a salted PBKDF2 hash; checks take the same time whatever the guess. */
final class Passcode {
  // Modest on purpose: a room passcode is short-lived, and the check runs inside the room actor.
  private static final int ITERATIONS = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] salt;
  private final byte[] hash;

  private Passcode(byte[] salt, byte[] hash) {
    this.salt = salt;
    this.hash = hash;
  }

  static Passcode of(String plain) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return new Passcode(salt, derive(plain, salt));
  }

  /** A passcode as a previous incarnation of the room held it (see {@link RoomProtocol.RoomState}). */
  static Passcode restore(String salt, String hash) {
    return new Passcode(Base64.getDecoder().decode(salt), Base64.getDecoder().decode(hash));
  }

  String salt() {
    return Base64.getEncoder().encodeToString(salt);
  }

  String hash() {
    return Base64.getEncoder().encodeToString(hash);
  }

  boolean matches(String guess) {
    if (guess == null) {
      return false;
    }
    return MessageDigest.isEqual(hash, derive(guess, salt));
  }

  private static byte[] derive(String plain, byte[] salt) {
    try {
      PBEKeySpec spec = new PBEKeySpec(plain.toCharArray(), salt, ITERATIONS, 256);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
    }
  }
}

package uk.co.lchat.node.recording;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Short-lived capabilities to download one recorded file without an API key: a moderator's listing gets a ticket
 * per file, and whoever presents the ticket before it expires gets that file and no other. A ticket is 128 random
 * bits (22 base64url characters), so it cannot be guessed; it is held in this node's memory only, so a restart
 * forgets it and the moderator lists again.
 *
 * <p>At most {@code capacity} tickets are held: when full, the expired go first and then the oldest, so a flood of
 * listings costs memory up to the bound and no more.
 */
public final class DownloadTickets {
  /**
   * What a ticket opens: the file named {@code fileName} (its name alone, no directory) of one egress, and what it
   * holds ({@code kind}: {@code audio}, {@code video}, {@code composite}), for its content type.
   */
  public record Grant(String egressId, String fileName, String kind) {}

  private record Held(Grant grant, long expiresAtMillis) {}

  private static final int TICKET_BYTES = 16;

  private final Duration lifetime;
  private final int capacity;
  private final LongSupplier monotonicMillis;
  private final SecureRandom random = new SecureRandom();
  /** In the order issued, which is also the order of expiry (one lifetime for all): the eldest expire first. */
  private final LinkedHashMap<String, Held> byTicket = new LinkedHashMap<>();

  /**
   * {@code monotonicMillis}: a clock that never goes back (the wall clock may, and the order of expiry would then
   * no longer be the order of issue).
   */
  public DownloadTickets(Duration lifetime, int capacity, LongSupplier monotonicMillis) {
    if (lifetime.isNegative() || lifetime.isZero() || capacity < 1) {
      throw new IllegalArgumentException("a ticket needs a positive lifetime and room for at least one");
    }
    this.lifetime = lifetime;
    this.capacity = capacity;
    this.monotonicMillis = monotonicMillis;
  }

  /** A new ticket for {@code grant}, valid for the lifetime from now. */
  public synchronized String issue(Grant grant) {
    long now = monotonicMillis.getAsLong();
    dropExpired(now);
    if (byTicket.size() >= capacity) {
      Iterator<String> eldest = byTicket.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    byte[] bytes = new byte[TICKET_BYTES];
    random.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byTicket.put(ticket, new Held(grant, now + lifetime.toMillis()));
    return ticket;
  }

  /**
   * What {@code ticket} opens, if it was issued here and has not expired. It stays valid until then: a player that
   * seeks asks again with byte ranges, and a download that broke may resume.
   */
  public synchronized Optional<Grant> redeem(String ticket) {
    long now = monotonicMillis.getAsLong();
    dropExpired(now);
    Held held = byTicket.get(ticket);
    return held == null ? Optional.empty() : Optional.of(held.grant());
  }

  /** How many tickets are held (expired ones included until the next issue or redeem drops them). */
  public synchronized int size() {
    return byTicket.size();
  }

  private void dropExpired(long now) {
    for (Iterator<Map.Entry<String, Held>> it = byTicket.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue().expiresAtMillis() > now) {
        return;
      }
      it.remove();
    }
  }
}

package uk.co.lchat.node.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class DownloadTicketsTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final DownloadTickets tickets = new DownloadTickets(Duration.ofMinutes(10), 3, now::get);

  private static DownloadTickets.Grant file(String name) {
    return new DownloadTickets.Grant("EG_0123456789abcdef", name, "audio");
  }

  @Test
  void aTicketOpensItsFileUntilItExpiresAndAgainForEachRange() {
    String ticket = tickets.issue(file("Ann-a1.webm"));
    assertEquals(Optional.of(file("Ann-a1.webm")), tickets.redeem(ticket));
    now.addAndGet(Duration.ofMinutes(10).toMillis() - 1);
    assertEquals(Optional.of(file("Ann-a1.webm")), tickets.redeem(ticket), "still valid, and not used up");
    now.addAndGet(1);
    assertEquals(Optional.empty(), tickets.redeem(ticket), "expired at its lifetime");
    assertEquals(0, tickets.size(), "an expired ticket is dropped, not kept");
  }

  @Test
  void anUnknownOrMalformedTicketOpensNothing() {
    tickets.issue(file("Ann-a1.webm"));
    assertEquals(Optional.empty(), tickets.redeem("AAAAAAAAAAAAAAAAAAAAAA"));
    assertEquals(Optional.empty(), tickets.redeem("../../egress.json"));
    assertEquals(Optional.empty(), tickets.redeem(""));
    assertEquals(Optional.empty(), tickets.redeem(null));
  }

  @Test
  void ticketsAre128RandomBitsInBase64url() {
    Set<String> seen = new HashSet<>();
    DownloadTickets many = new DownloadTickets(Duration.ofMinutes(10), 1000, now::get);
    for (int i = 0; i < 1000; i++) {
      String ticket = many.issue(file("f" + i + ".webm"));
      assertTrue(ticket.matches("[A-Za-z0-9_-]{22}"), ticket);
      assertTrue(seen.add(ticket), "no ticket twice");
    }
    assertNotEquals(many.issue(file("same.webm")), many.issue(file("same.webm")), "each listing its own ticket");
  }

  @Test
  void aFullStoreDropsTheExpiredFirstThenTheOldest() {
    String first = tickets.issue(file("1.webm"));
    now.addAndGet(Duration.ofMinutes(6).toMillis());
    String second = tickets.issue(file("2.webm"));
    String third = tickets.issue(file("3.webm"));
    now.addAndGet(Duration.ofMinutes(4).toMillis()); // the first has expired, the others have not
    String fourth = tickets.issue(file("4.webm"));
    assertEquals(Optional.empty(), tickets.redeem(first));
    assertEquals(Optional.of(file("2.webm")), tickets.redeem(second), "an expired ticket made room, not a live one");

    String fifth = tickets.issue(file("5.webm"));
    assertEquals(3, tickets.size(), "never more than its capacity");
    assertEquals(Optional.empty(), tickets.redeem(second), "nothing had expired: the oldest made room");
    assertEquals(Optional.of(file("3.webm")), tickets.redeem(third));
    assertEquals(Optional.of(file("4.webm")), tickets.redeem(fourth));
    assertEquals(Optional.of(file("5.webm")), tickets.redeem(fifth));
  }

  @Test
  void aStoreWithoutLifetimeOrRoomIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new DownloadTickets(Duration.ZERO, 3, now::get));
    assertThrows(IllegalArgumentException.class, () -> new DownloadTickets(Duration.ofMinutes(1), 0, now::get));
  }
}

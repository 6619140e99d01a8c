package uk.co.lchat.node.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import uk.co.lchat.node.signaling.MessageRateLimit.Verdict;

class MessageRateLimitTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void aBurstPassesThenTheRateAndTheFirstRefusalWarns() {
    MessageRateLimit limit = new MessageRateLimit(10, 5, 100, 0);
    for (int i = 0; i < 5; i++) {
      assertEquals(Verdict.ACCEPT, limit.admit(0));
    }
    assertEquals(Verdict.REFUSE_AND_WARN, limit.admit(0));
    assertEquals(Verdict.REFUSE, limit.admit(0), "warned once");
    assertEquals(Verdict.ACCEPT, limit.admit(SECOND / 10), "one token a tenth of a second later");
    assertEquals(Verdict.REFUSE, limit.admit(SECOND / 10));
  }

  @Test
  void aSenderThatKeepsOnWhileRefusedIsClosed() {
    MessageRateLimit limit = new MessageRateLimit(10, 5, 3, 0);
    for (int i = 0; i < 5; i++) {
      limit.admit(0);
    }
    assertEquals(Verdict.REFUSE_AND_WARN, limit.admit(0));
    assertEquals(Verdict.REFUSE, limit.admit(0));
    assertEquals(Verdict.REFUSE, limit.admit(0));
    assertEquals(Verdict.CLOSE, limit.admit(0));
  }

  @Test
  void aSenderThatStaysJustAboveTheRateIsClosedInTheEnd() {
    MessageRateLimit limit = new MessageRateLimit(10, 5, 3, 0);
    long now = 0;
    Verdict last = Verdict.ACCEPT;
    // 11 a second against 10: its bucket never refills, so its refusals add up.
    for (int i = 0; i < 1000 && last != Verdict.CLOSE; i++) {
      now += SECOND / 11;
      last = limit.admit(now);
    }
    assertEquals(Verdict.CLOSE, last);
  }

  @Test
  void aSenderThatCalmsDownIsForgivenAndWarnedAgainNextTime() {
    MessageRateLimit limit = new MessageRateLimit(10, 5, 3, 0);
    for (int i = 0; i < 5; i++) {
      limit.admit(0);
    }
    assertEquals(Verdict.REFUSE_AND_WARN, limit.admit(0));
    assertEquals(Verdict.REFUSE, limit.admit(0));
    assertEquals(Verdict.REFUSE, limit.admit(0));
    long calm = SECOND; // five tokens take half a second
    for (int i = 0; i < 5; i++) {
      assertEquals(Verdict.ACCEPT, limit.admit(calm));
    }
    assertEquals(Verdict.REFUSE_AND_WARN, limit.admit(calm), "the count of refusals started again");
  }
}

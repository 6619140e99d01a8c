package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** How fast a room's passcode can be guessed: the guard's decisions, on a clock the test moves. */
class PasscodeGuardTest {
  private static final long SECOND = 1000;
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final PasscodeGuard.Settings DEFAULTS = RoomTestSupport.defaultConfig().passcodeGuard();

  private final PasscodeGuard guard = new PasscodeGuard(DEFAULTS);

  /** One guess from {@code address} at {@code now}: its wait if it must wait, else 0 after a wrong check. */
  private long guessWrong(String address, long now) {
    long wait = guard.waitMillis(address, now);
    if (wait > 0) {
      return wait;
    }
    guard.checking(address);
    guard.failed(address, now);
    return 0;
  }

  @Test
  void anAddressHasFiveFreeWrongGuessesThenWaitsADelayThatDoubles() {
    for (int i = 0; i < 4; i++) {
      assertEquals(0, guard.waitMillis("10.0.0.1", 0));
      guard.checking("10.0.0.1");
      assertEquals(0, guard.failed("10.0.0.1", 0), "wrong guess " + (i + 1) + " is free");
    }
    guard.checking("10.0.0.1");
    assertEquals(SECOND, guard.failed("10.0.0.1", 0), "the fifth wrong guess starts a 1 s wait");
    assertEquals(SECOND, guard.waitMillis("10.0.0.1", 0));
    assertEquals(SECOND / 2, guard.waitMillis("10.0.0.1", SECOND / 2));
    guard.checking("10.0.0.1");
    assertEquals(2 * SECOND, guard.failed("10.0.0.1", SECOND));
    guard.checking("10.0.0.1");
    assertEquals(4 * SECOND, guard.failed("10.0.0.1", 3 * SECOND));
  }

  @Test
  void aPersistentGuesserFromOneAddressGetsAboutFortyGuessesADay() {
    int checked = 0;
    for (long now = 0; now < DAY; ) {
      long wait = guessWrong("10.0.0.1", now);
      if (wait == 0) {
        checked++;
      }
      now += Math.max(wait, 1);
    }
    // Against about 250 guesses a second unthrottled: a 4-digit passcode (10,000 codes) is found with a chance of
    // under 0.5 % in a day.
    assertTrue(checked <= 45, checked + " guesses in a day");
    assertTrue(checked >= 17, "the free guesses and the doubling waits come first: " + checked);
  }

  @Test
  void manyAddressesTogetherAreHeldToTheRoomsPace() {
    int checked = 0;
    int addresses = 100;
    long now = 0;
    for (int round = 0; now < DAY; round++) {
      long soonest = Long.MAX_VALUE;
      for (int a = 0; a < addresses; a++) {
        long wait = guessWrong("10.0." + (a / 250) + "." + (a % 250), now);
        if (wait == 0) {
          checked++;
        } else {
          soonest = Math.min(soonest, wait);
        }
      }
      now += soonest == Long.MAX_VALUE ? 1 : soonest;
    }
    // Each address's first guess is never held back (so the right passcode gets in during an attack); after that
    // the room allows one guess per 5 minutes: 288 a day.
    assertTrue(checked <= addresses + 20 + 300, checked + " guesses in a day from " + addresses + " addresses");
  }

  @Test
  void someoneWhoNeverGuessedWrongIsNotHeldBackByAnAttackElsewhere() {
    for (int i = 0; i < 100; i++) {
      guessWrong("10.0.0.1", i * SECOND);
      guessWrong("10.0.0.2", i * SECOND);
    }
    assertTrue(guard.waitMillis("10.0.0.1", 100 * SECOND) > 0);
    assertEquals(0, guard.waitMillis("192.168.1.20", 100 * SECOND));
  }

  @Test
  void anAddressHasOneCheckAtATimeAndARoomAFew() {
    guard.checking("10.0.0.1");
    assertTrue(guard.waitMillis("10.0.0.1", 0) > 0, "a second guess while the first is checked waits");
    for (int a = 2; a <= PasscodeGuard.MAX_CHECKS_IN_FLIGHT; a++) {
      assertEquals(0, guard.waitMillis("10.0.0." + a, 0));
      guard.checking("10.0.0." + a);
    }
    assertTrue(guard.waitMillis("10.0.0.99", 0) > 0, "the room checks at most a few at once");
    guard.abandoned("10.0.0.2");
    assertEquals(0, guard.waitMillis("10.0.0.99", 0));
  }

  @Test
  void theRightPasscodeClearsTheAddressesRecord() {
    for (int i = 0; i < 5; i++) {
      guessWrong("10.0.0.1", 0);
    }
    long later = 2 * SECOND;
    assertEquals(0, guard.waitMillis("10.0.0.1", later));
    guard.checking("10.0.0.1");
    guard.succeeded("10.0.0.1");
    assertEquals(0, guard.addresses());
  }

  @Test
  void anAddressQuietForADayStartsAgain() {
    for (int i = 0; i < 5; i++) {
      guessWrong("10.0.0.1", 0);
    }
    assertTrue(guard.waitMillis("10.0.0.1", SECOND / 2) > 0);
    assertEquals(0, guard.waitMillis("10.0.0.1", DAY + 2 * SECOND));
    assertEquals(0, guard.addresses());
  }

  @Test
  void theRecordsAreBoundedWhateverTheNumberOfAddresses() {
    PasscodeGuard small = new PasscodeGuard(new PasscodeGuard.Settings(5, Duration.ofSeconds(1),
        Duration.ofHours(1), Duration.ofDays(1), 20, Duration.ofMinutes(5), 100));
    for (int a = 0; a < 1000; a++) {
      String address = "10.1." + (a / 250) + "." + (a % 250);
      small.checking(address);
      small.failed(address, a);
    }
    assertEquals(100, small.addresses());
  }

  @Test
  void anUnknownAddressIsCountedAsOne() {
    for (int i = 0; i < 5; i++) {
      guessWrong(null, 0);
    }
    assertTrue(guard.waitMillis(null, 0) > 0);
    assertTrue(guard.waitMillis("", 0) > 0);
  }
}

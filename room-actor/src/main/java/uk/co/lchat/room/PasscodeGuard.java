package uk.co.lchat.room;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes guessing a room's passcode slow: a pure record of wrong guesses, asked by the room before each passcode
 * check ({@link #waitMillis}) and told the outcome ({@link #failed}, {@link #succeeded}).
 *
 * <p>Each client address has a few free wrong guesses; after them it must wait before its next guess is checked,
 * a delay that doubles with every further wrong guess up to the lock-out window. An address is forgotten after a
 * quiet {@code forgetAfter}. With the defaults (5 free, 1 s doubling, 1 h lock-out, forgotten after 24 h) one address
 * gets about 40 guesses a day: a 4-digit passcode holds for months, not minutes.
 *
 * <p>The room as a whole counts wrong guesses too, so many addresses cannot add their allowances up: past
 * {@code roomFreeFailures} every address that has already guessed wrong waits for the room's delay as well (doubling
 * up to {@code roomMaxDelay}). An address that has never guessed wrong here is not held back by the room's delay, so
 * someone typing the right passcode is not locked out by an attacker elsewhere; each fresh address therefore has one
 * guess, which is why tokens or a longer passcode matter against an attacker with thousands of addresses
 * (docs/security.md). One check at a time per address, and at most {@link #MAX_CHECKS_IN_FLIGHT} per room, so a burst
 * of parallel joins cannot get ahead of the count.
 */
final class PasscodeGuard {
  /** PBKDF2 checks of one room running at once; more wait a moment. */
  static final int MAX_CHECKS_IN_FLIGHT = 4;
  private static final String UNKNOWN = "unknown";

  /** The {@code lchat.room.passcode-guard} settings. */
  record Settings(int freeFailures, Duration firstDelay, Duration lockout, Duration forgetAfter,
                  int roomFreeFailures, Duration roomMaxDelay, int maxAddresses) {
    Settings {
      if (freeFailures < 0 || roomFreeFailures < 0 || maxAddresses < 1 || firstDelay.isNegative()
          || firstDelay.isZero() || lockout.compareTo(firstDelay) < 0 || roomMaxDelay.compareTo(firstDelay) < 0) {
        throw new IllegalArgumentException("lchat.room.passcode-guard: delays must be positive, lock-outs at least"
            + " first-delay, counts not negative");
      }
    }
  }

  /** Wrong guesses of one address (or of the room), and when the next one may be checked. */
  private static final class Failures {
    int count;
    long notBefore;
    long last;
    boolean checking;

    void failed(long now, long delay) {
      count++;
      last = now;
      notBefore = now + delay;
    }
  }

  private final Settings settings;
  /** By client address, least recently used first, so the oldest is dropped when {@code maxAddresses} is reached. */
  private final LinkedHashMap<String, Failures> byAddress = new LinkedHashMap<>(16, 0.75f, true);
  private final Failures room = new Failures();
  private int checksInFlight;

  PasscodeGuard(Settings settings) {
    this.settings = settings;
  }

  /** How long {@code address} must wait before a guess of its is checked; 0: check it now. */
  long waitMillis(String address, long now) {
    forgetQuiet(now);
    Failures f = byAddress.get(key(address));
    if (f != null && f.checking || checksInFlight >= MAX_CHECKS_IN_FLIGHT) {
      return settings.firstDelay().toMillis();
    }
    if (f == null || f.count == 0) {
      return 0;
    }
    return Math.max(0, Math.max(f.notBefore, room.notBefore) - now);
  }

  /** A check for {@code address} starts (only after {@link #waitMillis} said 0). */
  void checking(String address) {
    String k = key(address);
    Failures f = byAddress.get(k);
    if (f == null) {
      if (byAddress.size() >= settings.maxAddresses()) {
        Iterator<Map.Entry<String, Failures>> eldest = byAddress.entrySet().iterator();
        eldest.next();
        eldest.remove();
      }
      f = new Failures();
      byAddress.put(k, f);
    }
    f.checking = true;
    checksInFlight++;
  }

  /** The check found the guess wrong; returns how long the address must now wait before its next guess. */
  long failed(String address, long now) {
    Failures f = done(address);
    f.failed(now, delay(f.count + 1, settings.freeFailures(), settings.lockout()));
    room.failed(now, delay(room.count + 1, settings.roomFreeFailures(), settings.roomMaxDelay()));
    return waitMillis(address, now);
  }

  /** The guess was right: the address starts again with a clean record (the room's count stays). */
  void succeeded(String address) {
    done(address);
    byAddress.remove(key(address));
  }

  /** The check was dropped (the passcode changed meanwhile): it counts neither way. */
  void abandoned(String address) {
    done(address);
  }

  /** Addresses with a record (for tests and the memory bound). */
  int addresses() {
    return byAddress.size();
  }

  private Failures done(String address) {
    Failures f = byAddress.computeIfAbsent(key(address), k -> new Failures());
    if (f.checking) {
      f.checking = false;
      checksInFlight--;
    }
    return f;
  }

  /** The delay after the {@code n}-th wrong guess: none for the free ones, then first-delay doubling up to max. */
  private long delay(int n, int free, Duration max) {
    if (n < free) {
      return 0;
    }
    long d = settings.firstDelay().toMillis();
    for (int i = free; i < n && d < max.toMillis(); i++) {
      d <<= 1;
    }
    return Math.min(d, max.toMillis());
  }

  /** Drops records quiet for {@code forgetAfter}, from the least recently used, so each call costs little. */
  private void forgetQuiet(long now) {
    long forget = settings.forgetAfter().toMillis();
    Iterator<Failures> oldest = byAddress.values().iterator();
    while (oldest.hasNext()) {
      Failures f = oldest.next();
      if (f.checking || now - f.last <= forget) {
        break;
      }
      oldest.remove();
    }
    if (room.count > 0 && now - room.last > forget) {
      room.count = 0;
      room.notBefore = 0;
    }
  }

  private static String key(String address) {
    return address == null || address.isEmpty() ? UNKNOWN : address;
  }
}

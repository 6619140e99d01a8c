package uk.co.lchat.node.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {
  private final OriginPolicy ownOnly = new OriginPolicy(List.of());
  private final OriginPolicy listed = new OriginPolicy(List.of("https://Meet.Example.com", "http://10.0.0.5:8080"));

  private static Optional<String> o(String value) {
    return Optional.of(value);
  }

  @Test
  void aPageOfTheNodeItselfMayConnect() {
    assertTrue(ownOnly.allows(o("http://127.0.0.1:8080"), o("127.0.0.1:8080")));
    assertTrue(ownOnly.allows(o("https://meet.example.com"), o("meet.example.com")), "TLS proxy on 443");
    assertTrue(ownOnly.allows(o("http://meet.example.com"), o("meet.example.com:80")));
    assertTrue(ownOnly.allows(o("HTTP://Meet.Example.COM:8080"), o("meet.example.com:8080")), "case-insensitive");
    assertTrue(ownOnly.allows(o("http://[::1]:8080"), o("[::1]:8080")));
  }

  @Test
  void aPageOfAnotherSiteIsRefused() {
    assertFalse(ownOnly.allows(o("http://evil.example"), o("127.0.0.1:8080")));
    assertFalse(ownOnly.allows(o("http://127.0.0.1:9999"), o("127.0.0.1:8080")), "another port is another origin");
    assertFalse(ownOnly.allows(o("https://127.0.0.1:8080"), o("127.0.0.1")), "https defaults to 443");
    assertFalse(ownOnly.allows(o("http://meet.example.com.evil.example"), o("meet.example.com")));
    assertFalse(ownOnly.allows(o("http://evil.example"), Optional.empty()), "no Host: nothing to match");
  }

  @Test
  void malformedOpaqueAndListedSeveralOriginsAreRefused() {
    assertFalse(ownOnly.allows(o("null"), o("127.0.0.1:8080")));
    assertFalse(ownOnly.allows(o("http://127.0.0.1:8080 http://evil.example"), o("127.0.0.1:8080")));
    assertFalse(ownOnly.allows(o("ws://127.0.0.1:8080"), o("127.0.0.1:8080")), "origins are http or https");
    assertFalse(ownOnly.allows(o("http://127.0.0.1:8080/path"), o("127.0.0.1:8080")));
    assertFalse(ownOnly.allows(o("http://x@127.0.0.1:8080"), o("127.0.0.1:8080")));
    assertFalse(ownOnly.allows(o("http://127.0.0.1:8080"), o("evil.example@127.0.0.1:8080")));
  }

  @Test
  void allowListedOriginsMayConnectFromAnyHost() {
    assertTrue(listed.allows(o("https://meet.example.com"), o("10.0.0.7:8080")));
    assertTrue(listed.allows(o("https://meet.example.com:443"), o("10.0.0.7:8080")), "default port spelled out");
    assertTrue(listed.allows(o("http://10.0.0.5:8080"), o("lchat-0.lchat:8080")));
    assertFalse(listed.allows(o("http://meet.example.com"), o("10.0.0.7:8080")), "the listed one is https");
  }

  @Test
  void aHandshakeWithoutOriginIsANonBrowserClientAndMayConnect() {
    assertTrue(ownOnly.allows(Optional.empty(), o("127.0.0.1:8080")));
  }

  @Test
  void aStarAllowsEveryOrigin() {
    assertTrue(new OriginPolicy(List.of("*")).allows(o("http://evil.example"), o("127.0.0.1:8080")));
  }

  @Test
  void anAllowListEntryThatIsNoOriginStopsTheNodeAtBoot() {
    assertThrows(IllegalArgumentException.class, () -> new OriginPolicy(List.of("meet.example.com")));
    assertThrows(IllegalArgumentException.class, () -> new OriginPolicy(List.of("https://meet.example.com/")));
  }
}

package uk.co.lchat.node.pageshare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.FramingCheck;
import uk.co.lchat.room.RoomProtocol.Framing;

/** Which response headers forbid showing a page inside the meeting, as browsers read them. */
class FramingHeadersTest {
  private static Framing framing(List<String> xfo, List<String> csp) {
    return FramingHeaders.decide(xfo, csp).framing();
  }

  @Test
  void xFrameOptionsDenyOrSameOriginRefusesInAnyCase() {
    assertEquals(new FramingCheck.Result(Framing.REFUSED, "X-Frame-Options: DENY"),
        FramingHeaders.decide(List.of("DENY"), List.of()));
    assertEquals(Framing.REFUSED, framing(List.of(" sameorigin "), List.of()));
    assertEquals(Framing.REFUSED, framing(List.of("SameOrigin"), List.of()));
  }

  @Test
  void aMixOfXFrameOptionsValuesRefusesAsTheHtmlStandardSays() {
    assertEquals(Framing.REFUSED, framing(List.of("DENY", "ALLOWALL"), List.of()));
    assertEquals(Framing.REFUSED, framing(List.of("sameorigin, allowall"), List.of()));
    assertEquals(Framing.ALLOWED, framing(List.of("allow-from https://a.example", "nonsense"), List.of()),
        "two values, none of them deny, sameorigin or allowall: no restriction");
  }

  @Test
  void noHeadersOrObsoleteValuesAllowFraming() {
    assertEquals(new FramingCheck.Result(Framing.ALLOWED, null), FramingHeaders.decide(List.of(), List.of()));
    assertEquals(Framing.ALLOWED, framing(List.of("ALLOW-FROM https://meet.example.com"), List.of()));
    assertEquals(Framing.ALLOWED, framing(List.of("ALLOWALL"), List.of()));
    assertEquals(Framing.ALLOWED, framing(List.of(), List.of("default-src 'self'; script-src 'none'")));
  }

  @Test
  void frameAncestorsThatDoNotAllowEverySiteRefuse() {
    assertEquals(new FramingCheck.Result(Framing.REFUSED, "Content-Security-Policy: frame-ancestors 'none'"),
        FramingHeaders.decide(List.of(), List.of("default-src 'self'; frame-ancestors 'none'")));
    assertEquals(Framing.REFUSED, framing(List.of(), List.of("frame-ancestors 'self' https://partner.example")));
    assertEquals(Framing.REFUSED, framing(List.of(), List.of("FRAME-ANCESTORS")), "an empty list is 'none'");
    assertEquals(Framing.REFUSED, framing(List.of(), List.of("frame-ancestors *", "frame-ancestors 'self'")),
        "every enforced policy must allow the frame");
    assertEquals(Framing.REFUSED, framing(List.of(), List.of("frame-ancestors *, frame-ancestors 'self'")));
  }

  @Test
  void frameAncestorsAllowingEverySiteWinOverXFrameOptions() {
    assertEquals(Framing.ALLOWED, framing(List.of("DENY"), List.of("frame-ancestors *")));
    assertEquals(Framing.ALLOWED, framing(List.of("SAMEORIGIN"), List.of("frame-ancestors https:")));
    assertEquals(Framing.REFUSED, framing(List.of(), List.of("frame-ancestors 'self'; frame-ancestors *")),
        "only the first frame-ancestors of a policy counts");
  }
}

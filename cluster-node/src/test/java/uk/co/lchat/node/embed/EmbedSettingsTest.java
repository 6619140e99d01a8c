package uk.co.lchat.node.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

class EmbedSettingsTest {
  private static EmbedSettings with(String hocon) {
    Config c = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseString(
        "lchat.embed { allowed-origins = [\"*\"], allow-hide-branding = on }"));
    return EmbedSettings.fromConfig(c);
  }

  private static List<String> headers(EmbedSettings s) {
    return s.pageHeaders().stream().map(h -> h.name() + ": " + h.value()).toList();
  }

  @Test
  void anySiteMayEmbedByDefaultAndThePagesCarryNoFramingPolicy() {
    EmbedSettings s = with("");
    assertTrue(s.anyOrigin());
    assertEquals(List.of(), headers(s));
    assertEquals("{\"allowedOrigins\":[\"*\"],\"allowHideBranding\":true}", s.clientView().toString());
  }

  @Test
  void listedOriginsAreTheOnlyFrameAncestorsBesideTheNodeItself() {
    EmbedSettings s = with("lchat.embed.allowed-origins = [\"https://Intranet.Example.com:443\","
        + " \"http://127.0.0.1:8090\"]");
    assertEquals(List.of("https://intranet.example.com", "http://127.0.0.1:8090"), s.origins());
    assertEquals(List.of("Content-Security-Policy: frame-ancestors 'self' https://intranet.example.com"
        + " http://127.0.0.1:8090"), headers(s));
  }

  @Test
  void anEmptyListLetsNoOtherSiteFrameThePages() {
    EmbedSettings s = with("lchat.embed.allowed-origins = [], lchat.embed.allow-hide-branding = off");
    assertEquals(List.of("Content-Security-Policy: frame-ancestors 'self'", "X-Frame-Options: SAMEORIGIN"),
        headers(s));
    assertEquals("{\"allowedOrigins\":[],\"allowHideBranding\":false}", s.clientView().toString());
  }

  @Test
  void somethingThatIsNotAnOriginStopsTheNodeWithAClearMessage() {
    for (String bad : List.of("https://example.com/path", "example.com", "ftp://example.com",
        "https://user@example.com", "https://example.com?x=1", "https://example.com#top", "https://",
        "javascript:alert(1)")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> with("lchat.embed.allowed-origins = [\"" + bad + "\"]"), bad);
      assertTrue(e.getMessage().startsWith("lchat.embed.allowed-origins"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class,
        () -> with("lchat.embed.allowed-origins = [\"*\", \"https://example.com\"]"));
  }
}

package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

class RouterSettingsTest {
  private static Config with(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void thisModulesReferenceConfHoldsTheRoutersDefaults() {
    // No node here (no lchat.node.host): the socket binds loopback.
    RouterSettings s = RouterSettings.fromConfig(ConfigFactory.load(), "10.0.0.5");
    assertEquals("127.0.0.1", s.bindHost());
    assertEquals(10000, s.port());
    assertEquals(Duration.ofSeconds(30), s.consentTimeout());
    assertEquals(Duration.ofMillis(300), s.keyframeInterval());
    assertTrue(s.iceTcp());
    assertEquals(RouterSettings.DEFAULT_AUDIO_SLOTS, s.audioSlots());
    assertTrue(s.batchSends(), "sends are batched unless turned off");
  }

  @Test
  void batchedSendsCanBeTurnedOffToMeasureWhatTheySave() {
    assertFalse(RouterSettings.fromConfig(with("lchat.media.batch-sends = off"), "127.0.0.1").batchSends());
  }

  @Test
  void clientsAreGivenTheNodesAddressUnlessOthersAreAdvertised() {
    assertEquals(List.of("10.0.0.5"), RouterSettings.fromConfig(ConfigFactory.load(), "10.0.0.5")
        .advertisedAddresses());
    assertEquals(List.of("203.0.113.7"), RouterSettings.fromConfig(
        with("lchat.media.advertised-addresses = [\"203.0.113.7\"]"), "10.0.0.5").advertisedAddresses());
  }

  @Test
  void theSocketBindsTheNodesHostWhenThereIsOne() {
    Config node = ConfigFactory.parseString("lchat.node.host = \"10.0.0.5\"")
        .withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve();
    assertEquals("10.0.0.5", RouterSettings.fromConfig(node, "10.0.0.5").bindHost());
  }

  @Test
  void negativeAudioSlotsAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> RouterSettings.fromConfig(with("lchat.media.audio-slots = -1"), "127.0.0.1"));
  }
}
